//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_LOG_HPP
#define BOOST_ASYNC_LOCAL_LOG_HPP

// Boost.Log integration: an attribute whose value is read from an async-local
// variable when each record is made. Register it once, globally; every record
// made anywhere in a request's handling then carries that request's value,
// with no argument passing.
//
//   al::variable<std::string> request_id;
//   boost::log::core::get()->add_global_attribute("RequestID",
//       al::log::make_attribute(request_id, std::string("-")));
//   // format with expr::attr<std::string>("RequestID")
//
// Outside any binding the attribute has no value, and formatters print it as
// absent (or use a fallback, see the constructor).

#include <boost/async_local/variable.hpp>

#include <boost/log/attributes/attribute.hpp>
#include <boost/log/attributes/attribute_cast.hpp>
#include <boost/log/attributes/attribute_value.hpp>
#include <boost/log/attributes/attribute_value_impl.hpp>

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {
namespace log {

namespace detail {

struct identity
{
  template <class T>
  T const& operator()(T const& t) const noexcept { return t; }
};

} // namespace detail

/// A Boost.Log attribute that reads an `al::variable<T>` at record time.
/**
 * The attribute's value is `project(*v.get())` (by default the bound value
 * itself) when `v` is bound in the context the record is made in, the
 * fallback otherwise, or no value when there is no fallback.
 *
 * @par Thread safety
 * Safe to use from any thread, as Boost.Log requires of global attributes:
 * each call reads the calling thread's context.
 *
 * @par Cost
 * One `get()`, one projection and one copy of the result into an attribute
 * value per record. The variable must outlive the attribute.
 */
template <class T, class Projection = detail::identity>
class variable_attribute : public boost::log::attribute
{
  using value_type = std::decay_t<
      std::invoke_result_t<Projection const&, T const&>>;

  class impl : public boost::log::attribute::impl
  {
  public:
    impl(variable<T> const& v, Projection p,
        std::optional<value_type> fallback)
      : variable_(v),
        projection_(std::move(p)),
        fallback_(std::move(fallback))
    {
    }

    boost::log::attribute_value get_value() override
    {
      if (T const* p = variable_.get())
        return boost::log::attributes::make_attribute_value(
            value_type(std::invoke(projection_, *p)));
      if (fallback_)
        return boost::log::attributes::make_attribute_value(*fallback_);
      return boost::log::attribute_value();
    }

  private:
    variable<T> const& variable_;
    Projection projection_;
    std::optional<value_type> fallback_;
  };

public:
  /// Reads `v`; records made outside any binding get no value.
  explicit variable_attribute(variable<T> const& v, Projection p = {})
    : boost::log::attribute(new impl(v, std::move(p), std::nullopt))
  {
  }

  /// Reads `v`; records made outside any binding get `fallback`.
  variable_attribute(variable<T> const& v, Projection p, value_type fallback)
    : boost::log::attribute(new impl(v, std::move(p), std::move(fallback)))
  {
  }

  /// For attribute_cast.
  explicit variable_attribute(boost::log::attributes::cast_source const& s)
    : boost::log::attribute(s.as<impl>())
  {
  }
};

/// Makes an attribute reading `v` as it is.
template <class T>
variable_attribute<T> make_attribute(variable<T> const& v, T fallback)
{
  return variable_attribute<T>(v, {}, std::move(fallback));
}

/// Makes an attribute reading `project(value)` of `v`.
template <class T, class Projection, class Fallback>
variable_attribute<T, Projection> make_attribute(variable<T> const& v,
    Projection project, Fallback fallback)
{
  return variable_attribute<T, Projection>(v, std::move(project),
      std::move(fallback));
}

} // namespace log
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_LOG_HPP
