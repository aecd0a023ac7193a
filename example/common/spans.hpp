//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// OpenTelemetry spans for the demo's services. Each service installs
// al::otel::install_context_storage(), so OpenTelemetry's active span
// follows the request's work across co_await, timers, sockets, strands and
// both threads: no span is passed by hand. The tracer below stands in for
// the SDK's (only OpenTelemetry's header-only API is used): it writes one log
// line when a span starts,
//
//   span <name> trace <trace id> id <span id> parent <parent span id, or ->
//     sampled <0 or 1>
//
// and the log line itself carries the request's ID and trace ID, so the
// demo's check can verify every parent link, that the spans' trace is the
// request's, and that the caller's sampled flag went along.
//
// The request's identity (al::http, request_context) stays the one source of
// the trace: the caller's span is taken from the traceparent our own parser
// accepted, a trace's first span here takes the request's trace ID (as an
// SDK's IdGenerator could), and an outgoing call sends a traceparent made
// from its span by our own formatter.

#ifndef BOOST_ASYNC_LOCAL_EXAMPLE_SPANS_HPP
#define BOOST_ASYNC_LOCAL_EXAMPLE_SPANS_HPP

#include "http_common.hpp"

#include <boost/async_local/otel.hpp>

#include <opentelemetry/context/runtime_context.h>
#include <opentelemetry/trace/context.h>
#include <opentelemetry/trace/default_span.h>
#include <opentelemetry/trace/scope.h>
#include <opentelemetry/trace/tracer.h>

#include <cstdint>
#include <random>
#include <string_view>

namespace example {

namespace otel = opentelemetry;
namespace trace = opentelemetry::trace;

namespace spans_detail {

// The ID whose lowercase hex digits `hex` holds (as our parser checked).
template <class Id>
Id id_from_hex(std::string_view hex)
{
  auto nibble = [](char c) {
    return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  };
  std::uint8_t bytes[Id::kSize] = {};
  for (std::size_t i = 0; i < Id::kSize && 2 * i + 1 < hex.size(); ++i)
    bytes[i] = static_cast<std::uint8_t>(
        nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  return Id(bytes);
}

template <class Id>
std::string_view to_hex(Id const& id, char (&buffer)[2 * Id::kSize])
{
  id.ToLowerBase16(buffer);
  return std::string_view(buffer, sizeof buffer);
}

// A random ID, not all zero (an all-zero ID is invalid), from a generator
// of this thread's own.
template <class Id>
Id random_id()
{
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uint8_t bytes[Id::kSize];
  for (;;)
  {
    bool nonzero = false;
    for (auto& b : bytes)
    {
      b = static_cast<std::uint8_t>(generator());
      nonzero |= b != 0;
    }
    if (nonzero)
      return Id(bytes);
  }
}

} // namespace spans_detail

// Starts spans as the SDK's tracer does, their parent the active span of
// OpenTelemetry's runtime context (StartSpanOptions::parent, unused by the
// demo, is not looked at), and logs each one. A span keeps its parent's
// sampled flag, as the SDK's default (parent-based) sampler decides, and a
// trace's first span here the request's; but every span is logged, sampled
// or not, so that the demo can check them all.
class log_tracer final : public trace::Tracer
{
public:
  using trace::Tracer::StartSpan;

  otel::nostd::shared_ptr<trace::Span> StartSpan(otel::nostd::string_view name,
      otel::common::KeyValueIterable const&,
      trace::SpanContextKeyValueIterable const&,
      trace::StartSpanOptions const&) noexcept override
  {
    using namespace spans_detail;
    trace::SpanContext const parent =
      trace::GetSpan(otel::context::RuntimeContext::GetCurrent())->GetContext();
    trace::TraceId trace_id = parent.trace_id();
    trace::TraceFlags flags = parent.trace_flags();
    if (!parent.IsValid())
    {
      auto const* request = alh::current_request().get();
      bool const from_request = request && request->trace.valid();
      trace_id = from_request
        ? id_from_hex<trace::TraceId>(request->trace.trace_id_view())
        : random_id<trace::TraceId>();
      flags = trace::TraceFlags(!from_request || request->trace.sampled()
          ? trace::TraceFlags::kIsSampled : 0);
    }
    trace::SpanContext const context(trace_id, random_id<trace::SpanId>(),
        flags, false);
    char t[32], s[16], p[16];
    try
    {
      // The names are the services' own: nothing a client sent.
      EXAMPLE_LOG << "span " << std::string_view(name.data(), name.size())
                  << " trace " << to_hex(trace_id, t)
                  << " id " << to_hex(context.span_id(), s) << " parent "
                  << (parent.IsValid() ? to_hex(parent.span_id(), p) : "-")
                  << " sampled " << (flags.IsSampled() ? 1 : 0);
      return otel::nostd::shared_ptr<trace::Span>(
          new trace::DefaultSpan(context));
    }
    catch (...)
    {
      // StartSpan may not throw: out of memory, a span that records
      // nothing, made beforehand (copying it allocates nothing).
      return unrecorded_;
    }
  }

#if OPENTELEMETRY_ABI_VERSION_NO == 1
  void ForceFlushWithMicroseconds(std::uint64_t) noexcept override {}
  void CloseWithMicroseconds(std::uint64_t) noexcept override {}
#endif

private:
  otel::nostd::shared_ptr<trace::Span> const unrecorded_{
    new trace::DefaultSpan(trace::SpanContext::GetInvalid())};
};

inline log_tracer& tracer()
{
  static log_tracer t;
  return t;
}

// Makes the caller's span, from the traceparent the request came with (as
// our own parser read it), the active span in the current async context,
// so that the request's first span is its child. Returns the token that
// detaches it; null when the request came without a valid traceparent (its
// first span then starts the request's trace).
inline otel::nostd::unique_ptr<otel::context::Token> attach_caller_span()
{
  using namespace spans_detail;
  alh::request_context const* request = alh::current_request().get();
  if (!request || request->source != alh::id_source::traceparent)
    return nullptr;
  trace::SpanContext const caller(
      id_from_hex<trace::TraceId>(request->trace.trace_id_view()),
      id_from_hex<trace::SpanId>(request->trace.parent_id_view()),
      trace::TraceFlags(request->trace.sampled()
        ? trace::TraceFlags::kIsSampled : 0),
      true);
  otel::context::Context current = otel::context::RuntimeContext::GetCurrent();
  return otel::context::RuntimeContext::Attach(trace::SetSpan(current,
      otel::nostd::shared_ptr<trace::Span>(new trace::DefaultSpan(caller))));
}

// al::http::inject, with the traceparent naming the active span: the callee's
// first span is that span's child. Written by our own formatter, which
// writes nothing our parser would reject.
template <class Body, class Fields>
void inject_span(boost::beast::http::request<Body, Fields>& req)
{
  alh::inject(req);  // tracestate, baggage, X-Request-Id, a traceparent
  trace::SpanContext const active =
    trace::GetSpan(otel::context::RuntimeContext::GetCurrent())->GetContext();
  if (!active.IsValid())
    return;
  alh::traceparent t;
  active.trace_id().ToLowerBase16(t.trace_id);
  active.span_id().ToLowerBase16(t.parent_id);
  t.flags = active.IsSampled() ? alh::traceparent::sampled_flag : 0;
  req.set("traceparent", t.to_chars().view());
}

// The span of one request's handling in a service, active until it goes:
// the child of the caller's span when the request came with a traceparent,
// else the first span of the request's trace. Make it first thing in the
// handler (a coroutine: the span stays active across its co_awaits).
class request_span
{
public:
  explicit request_span(char const* name = "request")
    : caller_(attach_caller_span()),
      span_(tracer().StartSpan(name)),
      scope_(span_)
  {
  }

  request_span(request_span const&) = delete;
  request_span& operator=(request_span const&) = delete;

private:
  otel::nostd::unique_ptr<otel::context::Token> caller_;
  otel::nostd::shared_ptr<trace::Span> span_;
  trace::Scope scope_;
};

// Makes OpenTelemetry's context async-local: one call, before any span.
inline void install_spans()
{
  al::otel::install_context_storage();
}

} // namespace example

#endif
