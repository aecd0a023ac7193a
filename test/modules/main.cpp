//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include "module.hpp"

#include <cstdio>

struct counting : boost::async_local::async_hooks
{
  void init(boost::async_local::async_id, boost::async_local::async_id,
      char const*) noexcept override
  {
    ++inits;
  }
  int inits = 0;
};

int main()
{
  // Bound in A (through A's copy of the inline code), read in B.
  int const seen = module_a_run(42, [] { return module_b_read(); });
  // Variables made in two libraries (each the first of its library) get
  // distinct keys, so binding B's is not binding A's.
  int const crossed = module_b_own().run(7, [] {
    return module_a_id().value_or(-1);
  });
  // A hook installed through A, another through B: both see B's events.
  counting in_a, in_b;
  auto ra = module_a_install(in_a);
  auto rb = module_b_install(in_b);
  module_b_resource();
  std::printf("seen %d (want 42), crossed %d (want -1), hooks %d and %d "
      "(want 1 and 1)\n", seen, crossed, in_a.inits, in_b.inits);
  return seen == 42 && crossed == -1 && in_a.inits == 1 && in_b.inits == 1
    ? 0 : 1;
}
