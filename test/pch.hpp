//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Precompiled header for the tests: the heavy, stable includes.
#include "net.hpp"
#include <boost/test/unit_test.hpp>
