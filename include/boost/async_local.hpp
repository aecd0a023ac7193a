//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_HPP
#define BOOST_ASYNC_LOCAL_HPP

// Convenience header: all of Boost.AsyncLocal's core.

#include <boost/async_local/bind.hpp>
#include <boost/async_local/context_loss_detector.hpp>
#include <boost/async_local/enable.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/flow.hpp>
#include <boost/async_local/hooks.hpp>
#include <boost/async_local/resource.hpp>
#include <boost/async_local/restore_guard.hpp>
#include <boost/async_local/snapshot.hpp>
#include <boost/async_local/trace_recorder.hpp>
#include <boost/async_local/variable.hpp>
#include <boost/async_local/zone.hpp>

#endif // BOOST_ASYNC_LOCAL_HPP
