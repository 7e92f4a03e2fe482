/* vcr_import: a VCR.py YAML cassette from hostile bytes through import-vcr's converter
 * (libyaml, !!binary bodies, event streams), nothing written. */
#include "fuzz/fuzz.h"
#include "mock/replay/vcr.h"

FUZZ_TARGET(vcr_import)
{
    struct mock_vcr_counts counts = {0};
    char err[512];
    mock_vcr_convert((const char *)data, size, "fuzz", NULL, &counts, err, sizeof(err));
    return 0;
}
