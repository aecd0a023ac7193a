//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include "module.hpp"

boost::async_local::variable<int>& module_a_id()
{
  static boost::async_local::variable<int> id;
  return id;
}

int module_a_run(int value, int (*f)())
{
  return module_a_id().run(value, f);
}

boost::async_local::hooks_registration
module_a_install(boost::async_local::async_hooks& h)
{
  return boost::async_local::install_hooks(h);
}
