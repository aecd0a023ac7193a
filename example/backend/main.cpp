//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The second service: takes the trace context from each request and logs
// with it, so its lines carry the caller's trace ID; its spans (request, the
// child of the caller's call_backend span, and work) are in the same trace.
//
//   backend [--port N] [--port-file FILE]

#include "../common/spans.hpp"

#include <boost/asio/steady_timer.hpp>


using namespace example;

namespace {

net::awaitable<response> handle(request req)
{
  request_span span;
  std::string const target(req.target());
  // The span the caller made for this call, to check that each outgoing
  // call is a span of its own. (No identity while propagation is switched
  // off or compiled out.)
  auto const* identity = alh::current_request().get();
  EXAMPLE_LOG << target << " lookup, parent span "
              << (identity ? identity->trace.parent_id_view() : "-");
  net::steady_timer work(co_await net::this_coro::executor,
      std::chrono::milliseconds(1));
  co_await work.async_wait(net::use_awaitable);
  tracer().StartSpan("work");  // after the wait, on either thread
  EXAMPLE_LOG << target << " done";
  response res(http::status::ok, req.version());
  res.set(http::field::content_type, "text/plain");
  res.body() = "value of " + target;
  co_return res;
}

} // namespace

int main(int argc, char* argv[])
{
  install_spans();
  run_service("backend", argc, argv, &handle);
}
