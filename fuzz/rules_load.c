/* rules_load: a rules file (--rules, POST /_mock/rules) from hostile JSON, added, listed, reset, freed. */
#include "fuzz/fuzz.h"
#include "mock/rules/rules.h"

FUZZ_TARGET(rules_load)
{
    struct mock_rules *rules = mock_rules_new();
    cJSON *json = cJSON_ParseWithLength((const char *)data, size);
    cJSON *added = NULL;
    char err[512];
    if (rules && json && mock_rules_add_json(rules, json, true, &added, err, sizeof(err)) == BRK_OK) {
        cJSON_Delete(mock_rules_to_json(rules, NULL));
        mock_rules_reset(rules);
    }
    cJSON_Delete(added);
    cJSON_Delete(json);
    mock_rules_destroy(rules);
    return 0;
}
