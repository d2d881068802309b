#!/bin/bash
# Every C source and header is formatted as the checked-in .clang-format
# says: one TAP line per file, with the changes clang-format would make.
src=${abs_top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$src" || exit 1
count=0
failed=0
for file in $(find include plugin tests -name node_modules -prune -o \( -name '*.c' -o -name '*.h' \) -print | sort); do
    count=$((count + 1))
    if clang-format --dry-run -Werror "$file" >/dev/null 2>&1; then
        echo "ok $count - $file is formatted"
    else
        failed=$((failed + 1))
        echo "not ok $count - $file is not formatted: run clang-format -i $file"
        clang-format "$file" | diff -u "$file" - | head -20 | sed 's/^/# /'
    fi
done
echo "1..$count"
[ "$failed" -eq 0 ]
