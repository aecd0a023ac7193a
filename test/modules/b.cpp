//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include "module.hpp"

int module_b_read()
{
  return module_a_id().value_or(-1);
}

boost::async_local::variable<int>& module_b_own()
{
  static boost::async_local::variable<int> own;
  return own;
}

boost::async_local::hooks_registration
module_b_install(boost::async_local::async_hooks& h)
{
  return boost::async_local::install_hooks(h);
}

void module_b_resource()
{
  boost::async_local::resource r("module_b");
}
