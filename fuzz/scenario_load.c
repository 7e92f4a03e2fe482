/* scenario_load: a scenario file (bedrock-scenario's strict loader, scenario/load.c) from hostile
 * bytes; a file that loads then has every call's body built and every expectation evaluated,
 * against the document's own steps as a journal, so matchers, pointers and regexes meet odd data. */
#include "fuzz/fuzz.h"
#include "scenario/scenario.h"

static void s_exercise(const struct scenario *sc)
{
    static const char *const calls[] = {"converse", "converse_stream", "count_tokens"};
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(sc->root, "steps");
    struct scn_result r = {.sc = sc};
    struct scn_step_result *res = scn_result_add_step(&r, "fuzz");
    for (const cJSON *step = steps ? steps->child : NULL; step && res; step = step->next) {
        for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
            const cJSON *call = cJSON_GetObjectItemCaseSensitive(step, calls[i]);
            cJSON *body = call ? scn_call_body(call) : NULL;
            struct brk_buf text;
            struct brk_error err;
            brk_buf_init(&text, 1 << 20);
            if (body) {
                scn_call_text(calls[i], "anthropic.claude-3-haiku-20240307-v1:0", body, NULL, &text, &err);
            }
            brk_buf_clean_up(&text);
            cJSON_Delete(body);
        }
        const cJSON *expect = cJSON_GetObjectItemCaseSensitive(step, "expect");
        struct scn_observed obs = {.status = BRK_OK, .response = cJSON_Duplicate(step, true)};
        obs.journal = cJSON_Duplicate(steps, true);
        scn_expect_call(expect, &obs, res);
        scn_observed_clean_up(&obs);
    }
    const cJSON *top = cJSON_GetObjectItemCaseSensitive(sc->root, "expect");
    if (top && res) {
        scn_expect_top(top, steps, res);
    }
    scn_result_clean_up(&r);
}

FUZZ_TARGET(scenario_load)
{
    struct scn_diags diags = {0};
    struct scenario *sc = NULL;
    if (scn_load_text("fuzz.json", (const char *)data, size, &sc, &diags) == BRK_OK) {
        s_exercise(sc);
    }
    scn_destroy(sc);
    scn_diags_clean_up(&diags);
    return 0;
}
