/*
 * export.h: BRK_API marks the functions a shared libbedrock exports.
 *
 * The library's objects are compiled with -fvisibility=hidden and -DBRK_BUILDING_LIBRARY (see
 * the Makefile), so every symbol stays inside the .so unless its declaration carries BRK_API:
 * only the public API in include/bedrock/ is exported, and internal functions (common/, the
 * client's own) can change without breaking a program linked against the library. Static
 * archives are unaffected: hidden symbols still link across objects. Programs that include
 * the public headers see BRK_API as nothing. Compilers other than GCC and Clang get nothing
 * either, and export by their own defaults.
 */
#ifndef BEDROCK_EXPORT_H
#define BEDROCK_EXPORT_H

#if defined(BRK_BUILDING_LIBRARY) && (defined(__GNUC__) || defined(__clang__))
#define BRK_API __attribute__((visibility("default")))
#else
#define BRK_API
#endif

#endif
