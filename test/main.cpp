//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#define BOOST_TEST_MODULE boost_async_local
#include <boost/test/unit_test.hpp>

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

// Global replacements that count this thread's allocations.
void* operator new(std::size_t n)
{
  ++thread_allocations;
  if (void* p = std::malloc(n ? n : 1))
    return p;
  throw std::bad_alloc();
}

void* operator new[](std::size_t n)
{
  return ::operator new(n);
}

void* operator new(std::size_t n, std::align_val_t a)
{
  ++thread_allocations;
  std::size_t const al = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al))
    return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept
{
  std::free(p);
}
