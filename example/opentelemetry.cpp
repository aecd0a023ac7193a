//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// OpenTelemetry spans across Asio work and across two services. A front
// service and a backend (Beast, coroutines, two threads, the propagating
// executor) run in this process; 20 clients call the front service at
// once. Each request makes five spans:
//
//   request              the front service's handler        (a new trace)
//     db                 after a timer                      (child of request)
//     call_backend       around the outgoing call           (child of request)
//       backend          the backend's handler, parent taken from the
//                        traceparent header (OpenTelemetry's propagator)
//         backend_work   after a timer in the backend       (child of backend)
//
// No span is passed by hand: the tracer takes each span's parent from
// OpenTelemetry's runtime context, which al::otel::install_context_storage()
// makes async-local. The program checks every parent link and every trace
// at the end, and fails if one is wrong (with OpenTelemetry's default
// thread-local storage, spans started after a co_await lose their parent or
// take another request's).
//
// Only OpenTelemetry's API is used (header-only): the tracer below records
// spans in memory, where an application would use the SDK's.

#include <boost/async_local.hpp>
#include <boost/async_local/otel.hpp>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <opentelemetry/context/propagation/text_map_propagator.h>
#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/default_span.h>
#include <opentelemetry/trace/propagation/http_trace_context.h>
#include <opentelemetry/trace/scope.h>
#include <opentelemetry/trace/tracer.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace al = boost::async_local;
namespace otel = opentelemetry;
namespace trace = opentelemetry::trace;
using tcp = net::ip::tcp;

namespace {

// ---- a tracer that records spans in memory -------------------------------

struct recorded
{
  std::string name;
  trace::SpanContext context;
  trace::SpanId parent;
};

class memory_tracer final : public trace::Tracer
{
public:
  using trace::Tracer::StartSpan;

  // As the SDK's tracer: the parent is the active span of the current
  // runtime context.
  otel::nostd::shared_ptr<trace::Span> StartSpan(otel::nostd::string_view name,
      otel::common::KeyValueIterable const&,
      trace::SpanContextKeyValueIterable const&,
      trace::StartSpanOptions const&) noexcept override
  {
    trace::SpanContext const parent =
      trace::GetSpan(otel::context::RuntimeContext::GetCurrent())->GetContext();
    std::lock_guard<std::mutex> lock(mutex_);
    std::uint8_t bytes[16];
    for (auto& b : bytes)
      b = static_cast<std::uint8_t>(random_());
    trace::TraceId const trace_id = parent.IsValid()
      ? parent.trace_id() : trace::TraceId(bytes);
    trace::SpanContext const context(trace_id,
        trace::SpanId(otel::nostd::span<std::uint8_t const, 8>(bytes, 8)),
        trace::TraceFlags(trace::TraceFlags::kIsSampled), false);
    spans_.push_back({std::string(name.data(), name.size()), context,
        parent.IsValid() ? parent.span_id() : trace::SpanId()});
    return otel::nostd::shared_ptr<trace::Span>(new trace::DefaultSpan(context));
  }

#if OPENTELEMETRY_ABI_VERSION_NO == 1
  void ForceFlushWithMicroseconds(std::uint64_t) noexcept override {}
  void CloseWithMicroseconds(std::uint64_t) noexcept override {}
#endif

  std::vector<recorded> spans()
  {
    std::lock_guard<std::mutex> lock(mutex_);
    return spans_;
  }

private:
  std::mutex mutex_;
  std::mt19937_64 random_{42};
  std::vector<recorded> spans_;
};

memory_tracer tracer;

// ---- W3C trace context in Beast headers, with OpenTelemetry's propagator --

template <class Fields>
class header_carrier final : public otel::context::propagation::TextMapCarrier
{
public:
  explicit header_carrier(Fields& fields) : fields_(fields) {}

  otel::nostd::string_view Get(otel::nostd::string_view key) const noexcept override
  {
    auto const it = fields_.find(beast::string_view(key.data(), key.size()));
    return it == fields_.end() ? otel::nostd::string_view()
      : otel::nostd::string_view(it->value().data(), it->value().size());
  }

  void Set(otel::nostd::string_view key, otel::nostd::string_view value) noexcept override
  {
    fields_.set(beast::string_view(key.data(), key.size()),
        beast::string_view(value.data(), value.size()));
  }

private:
  Fields& fields_;
};

trace::propagation::HttpTraceContext propagator;

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

net::awaitable<void> wait_a_little()
{
  net::steady_timer t(co_await net::this_coro::executor,
      std::chrono::milliseconds(2));
  co_await t.async_wait(net::use_awaitable);
}

// ---- the two services --------------------------------------------------------

net::awaitable<response> backend(request req)
{
  // The caller's span, from the traceparent header, is the parent.
  header_carrier<request> carrier(req);
  auto current = otel::context::RuntimeContext::GetCurrent();
  auto const remote = otel::context::RuntimeContext::Attach(
      propagator.Extract(carrier, current));
  auto span = tracer.StartSpan("backend");
  trace::Scope scope(span);
  co_await wait_a_little();
  tracer.StartSpan("backend_work");
  response res(http::status::ok, req.version());
  res.body() = "value";
  co_return res;
}

net::awaitable<std::string> call(unsigned short port, request req)
{
  auto span = tracer.StartSpan("call_backend");
  trace::Scope scope(span);
  header_carrier<request> carrier(req);
  propagator.Inject(carrier, otel::context::RuntimeContext::GetCurrent());
  beast::tcp_stream stream(co_await net::this_coro::executor);
  co_await stream.async_connect(
      tcp::endpoint(net::ip::address_v4::loopback(), port), net::use_awaitable);
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buffer;
  response res;
  co_await http::async_read(stream, buffer, res, net::use_awaitable);
  co_return res.body();
}

unsigned short backend_port = 0;

net::awaitable<response> front(request req)
{
  auto span = tracer.StartSpan("request");
  trace::Scope scope(span);
  co_await wait_a_little();
  tracer.StartSpan("db");
  request out(http::verb::get, "/lookup", 11);
  std::string const value = co_await call(backend_port, std::move(out));
  response res(http::status::ok, req.version());
  res.body() = value;
  co_return res;
}

// One request per connection, then close.
template <class Handler>
net::awaitable<void> session(tcp::socket socket, Handler handler)
{
  beast::flat_buffer buffer;
  request req;
  co_await http::async_read(socket, buffer, req, net::use_awaitable);
  response res = co_await handler(std::move(req));
  res.prepare_payload();
  co_await http::async_write(socket, res, net::use_awaitable);
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
}

template <class Handler>
net::awaitable<void> serve(tcp::acceptor& acceptor, Handler handler)
{
  auto const ex = co_await net::this_coro::executor;
  for (;;)
    net::co_spawn(ex, session(co_await acceptor.async_accept(net::use_awaitable),
        handler), net::detached);
}

net::awaitable<void> client(unsigned short port, std::atomic<int>& answered)
{
  beast::tcp_stream stream(co_await net::this_coro::executor);
  co_await stream.async_connect(
      tcp::endpoint(net::ip::address_v4::loopback(), port), net::use_awaitable);
  co_await http::async_write(stream, request(http::verb::get, "/", 11),
      net::use_awaitable);
  beast::flat_buffer buffer;
  response res;
  co_await http::async_read(stream, buffer, res, net::use_awaitable);
  if (res.body() == "value")
    ++answered;
}

// Every trace: one request and its four descendants, each with the right
// parent.
bool check(std::vector<recorded> const& spans, int requests)
{
  std::map<std::string, std::vector<recorded const*>> traces;
  for (auto const& s : spans)
  {
    char id[32];
    s.context.trace_id().ToLowerBase16(id);
    traces[std::string(id, 32)].push_back(&s);
  }
  int good = 0;
  for (auto const& [id, members] : traces)
  {
    std::map<std::string, recorded const*> by_name;
    for (auto const* s : members)
      by_name[s->name] = s;
    auto parent_is = [&](char const* child, char const* parent) {
      return by_name.count(child) && by_name.count(parent)
        && by_name[child]->parent == by_name[parent]->context.span_id();
    };
    bool const ok = members.size() == 5 && by_name.count("request")
      && !by_name["request"]->parent.IsValid()
      && parent_is("db", "request") && parent_is("call_backend", "request")
      && parent_is("backend", "call_backend")
      && parent_is("backend_work", "backend");
    if (ok)
      ++good;
    else
      std::cout << "trace " << id << ": " << members.size()
                << " spans, a parent link is wrong\n";
  }
  std::cout << requests << " requests, " << spans.size() << " spans in "
            << traces.size() << " traces, " << good
            << " with every parent link right\n";
  return good == requests && traces.size() == std::size_t(requests);
}

} // namespace

int main()
{
  al::otel::install_context_storage();

  net::io_context ioc;
  auto ex = al::make_executor(ioc);
  tcp::acceptor front_acceptor(ex, {net::ip::address_v4::loopback(), 0});
  tcp::acceptor backend_acceptor(ex, {net::ip::address_v4::loopback(), 0});
  backend_port = backend_acceptor.local_endpoint().port();
  net::co_spawn(ex, serve(front_acceptor, &front), net::detached);
  net::co_spawn(ex, serve(backend_acceptor, &backend), net::detached);

  int const requests = 20;
  std::atomic<int> answered{0};
  auto const port = front_acceptor.local_endpoint().port();
  // The clients run on the plain executor: they start no trace.
  for (int i = 0; i < requests; ++i)
    net::co_spawn(ioc, client(port, answered), net::detached);

  // Two threads, so a request's steps hop between them.
  std::thread second([&] { ioc.run(); });
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (answered < requests && std::chrono::steady_clock::now() < deadline)
    ioc.run_for(std::chrono::milliseconds(10));
  ioc.stop();
  second.join();
  std::cout << answered << " of " << requests << " requests answered\n";
  return check(tracer.spans(), requests) && answered == requests ? 0 : 1;
}
