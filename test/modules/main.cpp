//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include "module.hpp"

#include <cstdio>

int main()
{
  // Bound in A (through A's copy of the inline code), read in B.
  int const seen = module_a_run(42, [] { return module_b_read(); });
  // Variables made in two libraries (each the first of its library) get
  // distinct keys, so binding B's is not binding A's.
  int const crossed = module_b_own().run(7, [] {
    return module_a_id().value_or(-1);
  });
  std::printf("seen %d (want 42), crossed %d (want -1)\n", seen, crossed);
  return seen == 42 && crossed == -1 ? 0 : 1;
}
