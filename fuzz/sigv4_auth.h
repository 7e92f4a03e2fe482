/*
 * sigv4_auth.h: the fixed credentials and time of the sigv4_auth fuzz target, shared with the
 * tool that signs its seeds (fuzz/tools/sigv4_seeds.c). Test-only secrets, never real ones.
 */
#ifndef FUZZ_SIGV4_AUTH_H
#define FUZZ_SIGV4_AUTH_H

#define FUZZ_SIGV4_NOW_S 4070908800LL /* 2099-01-01T00:00:00Z: the mocks' clock; the seeds are signed for it */
#define FUZZ_SIGV4_REGION "us-east-1"

#define FUZZ_SIGV4_AKID "AKIDFUZZ" /* account 111122223333 */
#define FUZZ_SIGV4_SECRET "fuzzSecretKey/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define FUZZ_SIGV4_TOKEN_AKID "ASIAFUZZ" /* needs its session token */
#define FUZZ_SIGV4_TOKEN_SECRET "fuzzTokenSecret/bPxRfiCYEXAMPLEKEY0000"
#define FUZZ_SIGV4_TOKEN "IQoJb3JpZ2luX2VjEFUZZsessiontoken0000"
#define FUZZ_SIGV4_OLD_AKID "AKIDFUZZOLD"                         /* secret FUZZ_SIGV4_SECRET, expired in 2098 */
#define FUZZ_SIGV4_API_KEY "bedrock-api-key-ZnV6ei1rZXktMDAwMA==" /* account 444455556666 */
#define FUZZ_SIGV4_API_KEY_OLD "ABSKQmVkcm9ja0FQSUtleS1mdXp6LWV4cGlyZWQ=" /* expired in 2098 */

#endif
