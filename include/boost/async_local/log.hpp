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
//       al::log::variable_attribute<std::string>(request_id));
//   // format with expr::attr<std::string>("RequestID")
//
// Outside any binding the attribute has no value, and formatters print it as
// absent (or use a fallback, see the constructor).

#include <boost/async_local/variable.hpp>

#include <boost/log/attributes/attribute.hpp>
#include <boost/log/attributes/attribute_cast.hpp>
#include <boost/log/attributes/attribute_value.hpp>
#include <boost/log/attributes/attribute_value_impl.hpp>

#include <optional>
#include <utility>

namespace boost {
namespace async_local {
namespace log {

/// A Boost.Log attribute that reads an `al::variable<T>` at record time.
/**
 * @par Thread safety
 * Safe to use from any thread, as Boost.Log requires of global attributes:
 * each call reads the calling thread's context.
 *
 * @par Cost
 * One `get()` and one copy of the value into an attribute value per record.
 * The variable must outlive the attribute.
 */
template <class T>
class variable_attribute : public boost::log::attribute
{
  class impl : public boost::log::attribute::impl
  {
  public:
    impl(variable<T> const& v, std::optional<T> fallback)
      : variable_(v),
        fallback_(std::move(fallback))
    {
    }

    boost::log::attribute_value get_value() override
    {
      if (T const* p = variable_.get())
        return boost::log::attributes::make_attribute_value(*p);
      if (fallback_)
        return boost::log::attributes::make_attribute_value(*fallback_);
      return boost::log::attribute_value();
    }

  private:
    variable<T> const& variable_;
    std::optional<T> fallback_;
  };

public:
  /// Reads `v`; records made outside any binding get no value.
  explicit variable_attribute(variable<T> const& v)
    : boost::log::attribute(new impl(v, std::nullopt))
  {
  }

  /// Reads `v`; records made outside any binding get `fallback`.
  variable_attribute(variable<T> const& v, T fallback)
    : boost::log::attribute(new impl(v, std::move(fallback)))
  {
  }

  /// For attribute_cast.
  explicit variable_attribute(boost::log::attributes::cast_source const& s)
    : boost::log::attribute(s.as<impl>())
  {
  }
};

} // namespace log
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_LOG_HPP
