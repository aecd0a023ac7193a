//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Two shared libraries built with hidden visibility, and a program that uses
// both: a binding made in one must be seen in the other, and variables made
// in different libraries must never share a key.

#ifndef BOOST_ASYNC_LOCAL_TEST_MODULES_MODULE_HPP
#define BOOST_ASYNC_LOCAL_TEST_MODULES_MODULE_HPP

#include <boost/async_local/variable.hpp>

#define BOOST_ASYNC_LOCAL_TEST_EXPORT __attribute__((visibility("default")))

// Library A.
BOOST_ASYNC_LOCAL_TEST_EXPORT boost::async_local::variable<int>& module_a_id();
BOOST_ASYNC_LOCAL_TEST_EXPORT int module_a_run(int value, int (*f)());

// Library B.
BOOST_ASYNC_LOCAL_TEST_EXPORT int module_b_read();
BOOST_ASYNC_LOCAL_TEST_EXPORT boost::async_local::variable<int>& module_b_own();

#endif
