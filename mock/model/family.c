/* family.c: a catalogue model's family and token profile (see family.h). */
#include "mock/model/family.h"

#include <stddef.h>

const char *mock_model_family(const struct mock_model *model)
{
    return model ? model->family : NULL; /* the catalogue's family: one source for rules and counts */
}

void mock_model_token_profile(const struct mock_model *model, struct brk_token_profile *out)
{
    brk_token_profile_init(out, mock_model_family(model), model ? model->id : NULL);
}
