//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Two shared libraries built with hidden visibility, and a program that uses
// both: a binding made in one must be seen in the other, variables made in
// different libraries must never share a key, and hooks installed from
// either are one list.

#ifndef BOOST_ASYNC_LOCAL_TEST_MODULES_MODULE_HPP
#define BOOST_ASYNC_LOCAL_TEST_MODULES_MODULE_HPP

#include <boost/async_local/hooks.hpp>
#include <boost/async_local/resource.hpp>
#include <boost/async_local/variable.hpp>

#define BOOST_ASYNC_LOCAL_TEST_EXPORT __attribute__((visibility("default")))

// Library A.
BOOST_ASYNC_LOCAL_TEST_EXPORT boost::async_local::variable<int>& module_a_id();
BOOST_ASYNC_LOCAL_TEST_EXPORT int module_a_run(int value, int (*f)());
BOOST_ASYNC_LOCAL_TEST_EXPORT boost::async_local::hooks_registration
module_a_install(boost::async_local::async_hooks& h);

// Library B.
BOOST_ASYNC_LOCAL_TEST_EXPORT int module_b_read();
BOOST_ASYNC_LOCAL_TEST_EXPORT boost::async_local::variable<int>& module_b_own();
BOOST_ASYNC_LOCAL_TEST_EXPORT boost::async_local::hooks_registration
module_b_install(boost::async_local::async_hooks& h);
// Makes a resource in B (an init for every installed hook).
BOOST_ASYNC_LOCAL_TEST_EXPORT void module_b_resource();

#endif
