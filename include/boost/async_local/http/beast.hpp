//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_HTTP_BEAST_HPP
#define BOOST_ASYNC_LOCAL_HTTP_BEAST_HPP

// Request identity for Beast servers and clients: take it from an incoming
// request, bind it for the request's handling, and put it on outgoing
// requests, with no parameter passed through the code in between.

#include <boost/async_local/http/trace_context.hpp>
#include <boost/async_local/variable.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace boost {
namespace async_local {
namespace http {

/// Where a request's identity came from.
enum class id_source
{
  traceparent,  ///< a valid `traceparent` header
  request_id,   ///< no valid `traceparent`; a valid `X-Request-Id` header
  generated     ///< neither: a fresh trace
};

/// The longest `X-Request-Id` value accepted.
constexpr std::size_t max_request_id_size = 128;

/// A request ID, held in place (see @ref fixed_string).
using request_id_string = fixed_string<max_request_id_size>;

/// The identity a request carries through its handling.
/**
 * Taking it (`extract`) and binding it allocate nothing unless the request
 * has `tracestate` or `baggage` headers (their members are strings): the
 * trace is two fixed arrays and the request ID a @ref fixed_string, so the
 * whole context lives in the one node that binding it makes, which the
 * library recycles per thread.
 */
struct request_context
{
  /// The incoming trace (a fresh one unless `source` is `traceparent`).
  traceparent trace;

  /// The incoming `tracestate` and `baggage`, when present and valid.
  std::optional<tracestate> state;
  std::optional<baggage> bag;

  /// What log lines show: the `X-Request-Id` value if that is where the
  /// identity came from, the trace ID otherwise.
  request_id_string request_id;

  id_source source = id_source::generated;
};

/// The variable the helpers below bind and read.
inline variable<request_context> const& current_request()
{
  static variable<request_context> const v;
  return v;
}

/// The request ID of the current context, or `fallback`.
/**
 * Returned by value in a fixed buffer: no allocation, and nothing that
 * refers to the context after it is gone. Use `.view()` where a string view
 * is wanted (for example `res.set("X-Request-Id", current_request_id().view())`).
 *
 * @throws std::length_error if `fallback` is longer than
 * `max_request_id_size`.
 */
inline request_id_string current_request_id(std::string_view fallback = "-")
{
  request_context const* ctx = current_request().get();
  return ctx ? ctx->request_id : request_id_string(fallback);
}

/// True for an `X-Request-Id` value safe to adopt and to log: 1 to 128
/// characters of letters, digits and `-._:@/+=`.
inline bool valid_request_id(std::string_view id) noexcept
{
  if (id.empty() || id.size() > max_request_id_size)
    return false;
  for (char c : id)
  {
    bool const ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
      || (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '_'
      || c == ':' || c == '@' || c == '/' || c == '+' || c == '=';
    if (!ok)
      return false;
  }
  return true;
}

namespace detail {

// A header's value when it appears exactly once (the trace context spec
// treats repeated traceparent headers as invalid).
template <class Fields>
std::optional<std::string_view> single(Fields const& fields,
    std::string_view name)
{
  if (fields.count(name) != 1)
    return std::nullopt;
  auto const v = fields[name];
  return std::string_view(v.data(), v.size());
}

// All of a list header's values, joined with ',' as RFC 7230 3.2.2 allows
// (tracestate and baggage may be split over several header lines). Lines
// that are empty or only white space add no member: joining them would make
// an empty member, which baggage's grammar rejects.
template <class Fields>
std::optional<std::string> joined(Fields const& fields, std::string_view name)
{
  auto range = fields.equal_range(name);
  if (range.first == range.second)
    return std::nullopt;
  std::string all;
  for (auto it = range.first; it != range.second; ++it)
  {
    std::string_view const line = trim_ows(
        std::string_view(it->value().data(), it->value().size()));
    if (line.empty())
      continue;
    if (!all.empty())
      all += ',';
    all.append(line.data(), line.size());
  }
  return all;
}

} // namespace detail

/// Takes the identity of an incoming request.
/**
 * `traceparent` first; else `X-Request-Id`; else a freshly generated trace.
 * A malformed or repeated header is ignored as if absent, never echoed.
 * Never throws on bad input. `level` chooses the Trace Context level the
 * headers are read by (Level 1 by default: see @ref trace_context_level).
 */
template <class Body, class Fields>
request_context extract(
    boost::beast::http::request<Body, Fields> const& req,
    trace_context_level level = trace_context_level::level1)
{
  request_context ctx;
  if (auto tp = detail::single(req, "traceparent"))
  {
    if (auto parsed = traceparent::parse(*tp, level))
    {
      ctx.trace = *parsed;
      ctx.source = id_source::traceparent;
      ctx.request_id.assign(ctx.trace.trace_id_view());
      if (auto ts = detail::joined(req, "tracestate"))
        ctx.state = tracestate::parse(*ts, level);
    }
  }
  if (ctx.source == id_source::generated)
  {
    ctx.trace = traceparent::generate(level);
    auto rid = detail::single(req, "X-Request-Id");
    if (rid && valid_request_id(*rid))
    {
      ctx.request_id.assign(*rid);
      ctx.source = id_source::request_id;
    }
    else
      ctx.request_id.assign(ctx.trace.trace_id_view());
  }
  if (auto b = detail::joined(req, "baggage"))
    ctx.bag = baggage::parse(*b);
  return ctx;
}

/// Calls `f(a...)` with the request's identity bound.
/**
 * Everything `f` does, and everything it starts asynchronously on a
 * propagating executor or binds with `al::bind_snapshot`, sees the same
 * identity.
 *
 * @note For a coroutine, bind inside it instead: an awaitable does not run
 * until awaited, after `with_request` has returned. Write
 * `auto bound = current_request().set(extract(req));` in the coroutine.
 */
template <class Body, class Fields, class F, class... A>
decltype(auto) with_request(
    boost::beast::http::request<Body, Fields> const& req, F&& f, A&&... a)
{
  return current_request().run(extract(req), std::forward<F>(f),
      std::forward<A>(a)...);
}

/// Puts the current identity on an outgoing request.
/**
 * Sets `traceparent` to the current trace with a new parent (span) ID, so
 * each outgoing call is its own span of the same trace, and forwards
 * `tracestate`, `baggage` and the request ID (`X-Request-Id`), replacing any
 * the request had. Outside any request, starts a new trace and sends nothing
 * else. Only what our own parsers accept at `level` is sent (see
 * @ref trace_context_level).
 */
template <class Body, class Fields>
void inject(boost::beast::http::request<Body, Fields>& req,
    trace_context_level level = trace_context_level::level1)
{
  request_context const* ctx = current_request().get();
  traceparent const t = ctx && ctx->trace.valid()
    ? ctx->trace.child() : traceparent::generate(level);
  req.set("traceparent", t.to_chars(level).view());
  req.erase("tracestate");
  req.erase("baggage");
  req.erase("X-Request-Id");
  if (!ctx)
    return;
  // Only what satisfies the grammars goes out, even if the context was
  // built by hand.
  std::string const state = ctx->state ? ctx->state->to_string(level) : "";
  if (!state.empty())
    req.set("tracestate", state);
  std::string const bag = ctx->bag ? ctx->bag->to_string() : "";
  if (!bag.empty())
    req.set("baggage", bag);
  if (valid_request_id(ctx->request_id))
    req.set("X-Request-Id", ctx->request_id.view());
}

} // namespace http
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_HTTP_BEAST_HPP
