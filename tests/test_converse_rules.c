/* Unit tests for common/converse_rules.c: the predicates of Bedrock's model-independent rules. */
#include <criterion/criterion.h>

#include "common/converse_rules.h"

Test(converse_rules, blank_text_is_empty_or_ascii_whitespace_only)
{
    cr_assert(brk_rule_text_blank(""));
    cr_assert(brk_rule_text_blank(" \t\n\v\f\r"));
    cr_assert_not(brk_rule_text_blank(" a "));
    cr_assert_not(brk_rule_text_blank("\xc2\xa0"), "a no-break space is not ASCII whitespace");
}

Test(converse_rules, document_names_take_letters_digits_single_spaces_and_five_signs)
{
    cr_assert(brk_rule_document_name_ok("Q3 report (final) [v2]_x-y"));
    cr_assert_not(brk_rule_document_name_ok("report.pdf"));
    cr_assert_not(brk_rule_document_name_ok("two  spaces"));
    cr_assert_not(brk_rule_document_name_ok("tab\there"));
    cr_assert_not(brk_rule_document_name_ok("caf\xc3\xa9"));
}

Test(converse_rules, json_pointers_start_with_a_slash_and_escape_tilde)
{
    cr_assert(brk_rule_json_pointer_ok("/stop_sequence"));
    cr_assert(brk_rule_json_pointer_ok("/a~0b~1c/0"));
    cr_assert_not(brk_rule_json_pointer_ok("stop_sequence"));
    cr_assert_not(brk_rule_json_pointer_ok(""));
    cr_assert_not(brk_rule_json_pointer_ok("/a~2"));
    cr_assert_not(brk_rule_json_pointer_ok("/a~"));
}
