/* cassette_load: a --replay cassette from hostile JSON: parsed, keyed (with ignored paths),
 * compared, and answered in full, a recorded stream pulled to its end. */
#include "fuzz/fuzz.h"
#include "mock/replay/cassette.h"
#include "mock/replay/replay_priv.h"

static void s_pull(struct mock_response *resp)
{
    char buf[4096];
    uint64_t pos = 0;
    long n;
    while (resp->stream_fn && (n = resp->stream_fn(resp->stream_ctx, pos, buf, sizeof(buf))) > 0) {
        pos += (uint64_t)n;
    }
}

FUZZ_TARGET(cassette_load)
{
    static const char *const ignore[] = {"inferenceConfig.temperature", "messages[0].content", "system.text"};
    char err[256];
    cJSON *doc = mock_cassette_parse((const char *)data, size, err, sizeof(err));
    struct mock_replay_entry e;
    if (doc && mock_replay_entry_init(&e, "fuzz.json", doc, ignore, 3) == BRK_OK) {
        char where[512];
        mock_cassette_diff(e.key, "{\"messages\":[]}", where, sizeof(where));
        struct mock_response resp;
        mock_response_init(&resp);
        mock_replay_entry_answer(&e, false, &resp);
        s_pull(&resp);
        mock_response_clean_up(&resp);
        mock_replay_entry_clean_up(&e);
    } else {
        cJSON_Delete(doc);
    }
    return 0;
}
