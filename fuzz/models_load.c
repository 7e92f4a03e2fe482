/* models_load: a model catalogue (the --models file) parsed from hostile JSON, then queried. */
#include "fuzz/fuzz.h"
#include "mock/model/catalog.h"

FUZZ_TARGET(models_load)
{
    struct mock_catalog *cat = NULL;
    char err[256];
    if (mock_catalog_parse((const char *)data, size, &cat, err, sizeof(err)) == BRK_OK) {
        struct mock_model_ref ref;
        for (size_t i = 0; i < cat->n_models; i++) {
            mock_catalog_resolve(cat, cat->models[i].id, &ref);
            mock_model_accepts_ttl(&cat->models[i], "1h");
        }
        mock_catalog_resolve(cat, "us.anthropic.claude-3-haiku-20240307-v1:0", &ref);
    }
    mock_catalog_destroy(cat);
    return 0;
}
