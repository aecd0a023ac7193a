//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#define BOOST_TEST_MODULE boost_async_local
#if defined(BOOST_ASYNC_LOCAL_TEST_HEADER_ONLY)
// Where no Boost.Test library matches the Boost headers (the newer Boost
// legs of tools/test), the framework is compiled into this file.
# include <boost/test/included/unit_test.hpp>
#else
# include <boost/test/unit_test.hpp>
#endif

#include "common.hpp"

#include <cstdlib>
#include <new>

namespace {
thread_local std::size_t thread_allocations = 0;
}

namespace test {

std::atomic<int> counted::live{0};

allocation_counter::allocation_counter() : start_(thread_allocations) {}
allocation_counter::~allocation_counter() = default;
std::size_t allocation_counter::count() const
{
  return thread_allocations - start_;
}

} // namespace test

#if BOOST_ASYNC_LOCAL_TEST_COUNTS_ALLOCATIONS

// Global replacements that count this thread's allocations. Every form is
// replaced, so that a sanitizer runtime's own replacements are never linked
// in beside these.
namespace {

void* counted_allocate(std::size_t n, std::size_t align)
{
  ++thread_allocations;
  n = n ? n : 1;
  if (align <= __STDCPP_DEFAULT_NEW_ALIGNMENT__)
    return std::malloc(n);
  return std::aligned_alloc(align, (n + align - 1) / align * align);
}

void* allocate_or_throw(std::size_t n, std::size_t align)
{
  if (void* p = counted_allocate(n, align))
    return p;
  throw std::bad_alloc();
}

constexpr std::size_t plain = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

} // namespace

using std::align_val_t;
using std::nothrow_t;
using std::size_t;

void* operator new(size_t n) { return allocate_or_throw(n, plain); }
void* operator new[](size_t n) { return allocate_or_throw(n, plain); }
void* operator new(size_t n, align_val_t a)
{ return allocate_or_throw(n, static_cast<size_t>(a)); }
void* operator new[](size_t n, align_val_t a)
{ return allocate_or_throw(n, static_cast<size_t>(a)); }
void* operator new(size_t n, nothrow_t const&) noexcept
{ return counted_allocate(n, plain); }
void* operator new[](size_t n, nothrow_t const&) noexcept
{ return counted_allocate(n, plain); }
void* operator new(size_t n, align_val_t a, nothrow_t const&) noexcept
{ return counted_allocate(n, static_cast<size_t>(a)); }
void* operator new[](size_t n, align_val_t a, nothrow_t const&) noexcept
{ return counted_allocate(n, static_cast<size_t>(a)); }

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, align_val_t) noexcept { std::free(p); }
void operator delete(void* p, nothrow_t const&) noexcept { std::free(p); }
void operator delete[](void* p, nothrow_t const&) noexcept { std::free(p); }
void operator delete(void* p, align_val_t, nothrow_t const&) noexcept
{ std::free(p); }
void operator delete[](void* p, align_val_t, nothrow_t const&) noexcept
{ std::free(p); }

#endif // BOOST_ASYNC_LOCAL_TEST_COUNTS_ALLOCATIONS
