//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Hooks: the events every kind of operation reports, the tree its ids form,
// and the exactly-once rule for destroy.

#include <boost/async_local/hooks.hpp>

#include <boost/async_local/bind.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/variable.hpp>

#include "common.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace al = boost::async_local;

namespace {

al::variable<int> id;

// Records every event, with the value of `id` the hook saw.
struct recorder : al::async_hooks
{
  struct event
  {
    char kind;  // i, b, a, d
    al::async_id id;
    al::async_id trigger;
    std::string type;
    int value;  // id.get() at the call, -1 when unbound
    al::async_id execution = al::execution_id();  // at the call
  };

  void init(al::async_id i, al::async_id t, char const* type) noexcept override
  {
    add({'i', i, t, type, value()});
  }

  void before(al::async_id i) noexcept override { add({'b', i, 0, {}, value()}); }
  void after(al::async_id i) noexcept override { add({'a', i, 0, {}, value()}); }
  void destroy(al::async_id i) noexcept override { add({'d', i, 0, {}, value()}); }

  static int value()
  {
    int const* v = id.get();
    return v ? *v : -1;
  }

  void add(event e)
  {
    std::lock_guard<std::mutex> lock(mutex);
    events.push_back(std::move(e));
  }

  std::vector<event> snapshot()
  {
    std::lock_guard<std::mutex> lock(mutex);
    return events;
  }

  // The events as text, "i3<1:post b3 a3 d3", for failure messages and
  // sequence checks.
  std::string str()
  {
    std::ostringstream os;
    for (auto const& e : snapshot())
    {
      os << e.kind << e.id;
      if (e.kind == 'i')
        os << '<' << e.trigger << ':' << e.type;
      os << ' ';
    }
    return os.str();
  }

  // str() with the ids renumbered 1, 2, ... in order of first appearance,
  // so that a sequence can be compared whatever ids earlier tests used.
  std::string normalized()
  {
    std::map<al::async_id, al::async_id> number{{0, 0}};
    auto n = [&](al::async_id i) {
      return number.emplace(i, number.size()).first->second;
    };
    std::ostringstream os;
    for (auto const& e : snapshot())
    {
      os << e.kind << n(e.id);
      if (e.kind == 'i')
        os << '<' << n(e.trigger) << ':' << e.type;
      os << ' ';
    }
    std::string out = os.str();
    if (!out.empty())
      out.pop_back();
    return out;
  }

  void clear()
  {
    std::lock_guard<std::mutex> lock(mutex);
    events.clear();
  }

  // The ids in the order of their init, with their types.
  std::vector<al::async_id> ids(std::string const& type = {})
  {
    std::vector<al::async_id> out;
    for (auto const& e : snapshot())
      if (e.kind == 'i' && (type.empty() || e.type == type))
        out.push_back(e.id);
    return out;
  }

  event const* init_of(al::async_id i)
  {
    for (auto const& e : events)
      if (e.kind == 'i' && e.id == i)
        return &e;
    return nullptr;
  }

  // Every id has one init first and one destroy last; every before is
  // closed by an after on the same thread before the next event of that id
  // on it; nothing comes between destroy and the end.
  void check_balanced()
  {
    std::map<al::async_id, std::string> seen;  // the event kinds, in order
    for (auto const& e : snapshot())
      seen[e.id] += e.kind;
    for (auto const& [i, kinds] : seen)
    {
      BOOST_TEST_CONTEXT("operation " << i << ": " << kinds)
      {
        BOOST_TEST(kinds.size() >= 2u);
        BOOST_TEST(kinds.front() == 'i');
        BOOST_TEST(kinds.back() == 'd');
        BOOST_TEST(std::count(kinds.begin(), kinds.end(), 'i') == 1);
        BOOST_TEST(std::count(kinds.begin(), kinds.end(), 'd') == 1);
        BOOST_TEST(std::count(kinds.begin(), kinds.end(), 'b')
            == std::count(kinds.begin(), kinds.end(), 'a'));
      }
    }
  }

  std::mutex mutex;
  std::vector<event> events;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(test_hooks, test::clean_thread)

BOOST_AUTO_TEST_CASE(no_ids_while_no_hook_is_installed)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  al::async_id seen = 99;
  net::post(ex, [&] { seen = al::execution_id(); });
  ioc.run();
  BOOST_TEST(seen == 0u);
  BOOST_TEST(al::execution_id() == 0u);
  BOOST_TEST(al::trigger_id() == 0u);
}

BOOST_AUTO_TEST_CASE(post_defer_and_dispatch_from_a_handler)
{
  recorder r;
  auto reg = al::install_hooks(r);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  al::async_id outer = 0, inner_trigger = 0, inner = 0;
  id.run(1, [&] {
    net::post(ex, [&] {
      outer = al::execution_id();
      net::post(ex, [] {});
      net::defer(ex, [] {});
      // Runs inline, inside the outer handler.
      net::dispatch(ex, [&] {
        inner = al::execution_id();
        inner_trigger = al::trigger_id();
      });
    });
  });
  ioc.run();
  BOOST_TEST(r.normalized() == "i1<0:post b1 i2<1:post i3<1:defer "
      "i4<1:dispatch b4 a4 d4 a1 d1 b2 a2 d2 b3 a3 d3");
  BOOST_TEST(outer == r.ids()[0]);
  BOOST_TEST(inner == r.ids()[3]);
  BOOST_TEST(inner_trigger == outer);
  BOOST_TEST(al::execution_id() == 0u);
  // init runs in the initiator's context, before and after in the
  // operation's: 1 for all of them here. destroy runs in none, and in no
  // execution, although operation 4's comes inside operation 1's run.
  for (auto const& e : r.snapshot())
  {
    if (e.kind != 'd')
      BOOST_TEST(e.value == 1, e.kind << e.id);
    else
    {
      BOOST_TEST(e.value == -1, e.kind << e.id);
      BOOST_TEST(e.execution == 0u, e.kind << e.id);
    }
    if (e.kind == 'b' || e.kind == 'a')
      BOOST_TEST(e.execution == e.id);
  }
}

BOOST_AUTO_TEST_CASE(ids_name_the_operation_and_its_trigger)
{
  recorder r;
  auto reg = al::install_hooks(r);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  std::vector<std::pair<al::async_id, al::async_id>> seen;
  auto note = [&] { seen.emplace_back(al::execution_id(), al::trigger_id()); };
  net::post(ex, [&] {
    note();
    net::post(ex, [&] {
      note();
      net::post(ex, note);
    });
  });
  ioc.run();
  auto const ids = r.ids();
  BOOST_TEST_REQUIRE(ids.size() == 3u);
  BOOST_TEST_REQUIRE(seen.size() == 3u);
  BOOST_TEST(seen[0].first == ids[0]);
  BOOST_TEST(seen[0].second == 0u);
  BOOST_TEST(seen[1].first == ids[1]);
  BOOST_TEST(seen[1].second == ids[0]);
  BOOST_TEST(seen[2].first == ids[2]);
  BOOST_TEST(seen[2].second == ids[1]);
  BOOST_TEST(ids[0] < ids[1]);
  BOOST_TEST(ids[1] < ids[2]);
}

BOOST_AUTO_TEST_CASE(timer_wait)
{
  recorder r;
  auto reg = al::install_hooks(r);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  net::steady_timer t(ex, std::chrono::milliseconds(1));
  id.run(2, [&] { t.async_wait(test::checked([](error_code) {})); });
  BOOST_TEST(r.normalized() == "i1<0:operation");
  ioc.run();
  BOOST_TEST(r.normalized() == "i1<0:operation b1 a1 d1");
  BOOST_TEST(r.snapshot()[1].value == 2);
}

BOOST_AUTO_TEST_CASE(socket_read_and_composed_read)
{
  recorder r;
  auto reg = al::install_hooks(r);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  net::local::stream_protocol::socket a(ex), b(ioc);
  net::local::connect_pair(a, b);
  char buf[6];
  id.run(1, [&] {
    a.async_read_some(net::buffer(buf),
        test::checked([](error_code, std::size_t) {}));
  });
  net::write(b, net::buffer("abc", 3));
  ioc.run();
  BOOST_TEST(r.normalized() == "i1<0:operation b1 a1 d1");
  r.clear();

  // Two steps: the second read is initiated by the first one's handler.
  id.run(2, [&] {
    net::async_read(a, net::buffer(buf),
        test::checked([](error_code ec, std::size_t n) {
          BOOST_TEST(!ec);
          BOOST_TEST(n == 6u);
        }));
  });
  ioc.restart();
  ioc.poll();
  net::write(b, net::buffer("abc", 3));
  ioc.restart();
  ioc.poll();
  net::write(b, net::buffer("def", 3));
  ioc.restart();
  ioc.run();
  BOOST_TEST(r.normalized()
      == "i1<0:operation b1 i2<1:operation a1 d1 b2 a2 d2");
  for (auto const& e : r.snapshot())
    if (e.kind == 'b')
      BOOST_TEST(e.value == 2);
}

BOOST_AUTO_TEST_CASE(strand)
{
  recorder r;
  auto reg = al::install_hooks(r);
  test::io_context ioc;
  auto s = al::make_strand(ioc);
  id.run(3, [&] {
    net::post(s, [] {});
    net::post(s, [] {});
  });
  ioc.run();
  BOOST_TEST(r.normalized() == "i1<0:post i2<0:post b1 a1 d1 b2 a2 d2");
}

BOOST_AUTO_TEST_CASE(bound_handler_on_a_plain_executor)
{
  recorder r;
  auto reg = al::install_hooks(r);
  test::io_context ioc;
  net::steady_timer t(ioc, std::chrono::milliseconds(1));
  id.run(4, [&] { t.async_wait(al::bind_snapshot(test::checked([](error_code) {}))); });
  ioc.run();
  BOOST_TEST(r.normalized() == "i1<0:bind b1 a1 d1");
  BOOST_TEST(r.snapshot()[1].value == 4);
}

#if BOOST_ASYNC_LOCAL_TEST_CO_AWAIT
BOOST_AUTO_TEST_CASE(coroutine_with_three_waits_and_two_children)
{
  recorder r;
  auto reg = al::install_hooks(r);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  std::vector<al::async_id> resumed;  // the execution id after each wait
  std::vector<al::async_id> children; // each child's first execution id
  al::async_id start = 0;
  id.run(5, [&] {
    net::co_spawn(ex, [&]() -> net::awaitable<void> {
      start = al::execution_id();
      auto exec = co_await net::this_coro::executor;
      net::steady_timer t(exec);
      for (int i = 0; i < 3; ++i)
      {
        t.expires_after(std::chrono::milliseconds(0));
        co_await t.async_wait(net::use_awaitable);
        resumed.push_back(al::execution_id());
      }
      for (int i = 0; i < 2; ++i)
        net::co_spawn(exec, [&]() -> net::awaitable<void> {
          children.push_back(al::execution_id());
          co_return;
        }, net::detached);
    }, net::detached);
  });
  ioc.run();
  BOOST_TEST_INFO(r.str());
  BOOST_TEST_REQUIRE(resumed.size() == 3u);
  BOOST_TEST_REQUIRE(children.size() == 2u);
  BOOST_TEST(start != 0u);
  // Each resumption is an operation initiated by the step before it.
  std::vector<al::async_id> chain{start};
  chain.insert(chain.end(), resumed.begin(), resumed.end());
  for (std::size_t i = 1; i < chain.size(); ++i)
  {
    BOOST_TEST(chain[i] != chain[i - 1]);
    BOOST_TEST(r.init_of(chain[i])->trigger == chain[i - 1]);
  }
  // The children were started by the last step.
  for (al::async_id c : children)
    BOOST_TEST(r.init_of(c)->trigger == resumed.back());
  r.check_balanced();
  for (auto const& e : r.snapshot())
    if (e.kind == 'b')
      BOOST_TEST(e.value == 5);
}
#endif

BOOST_AUTO_TEST_CASE(operations_destroyed_unrun)
{
  recorder r;
  auto reg = al::install_hooks(r);
  {
    // Destroyed with the work pending, on purpose: a plain io_context.
    net::io_context ioc;
    auto ex = al::make_executor(ioc);
    net::steady_timer t(ex, std::chrono::hours(1));
    t.async_wait([](error_code) { BOOST_ERROR("ran"); });
    net::post(ex, [] { BOOST_ERROR("ran"); });
    BOOST_TEST(r.normalized() == "i1<0:operation i2<0:post");
  }
  BOOST_TEST(r.normalized() == "i1<0:operation i2<0:post d2 d1");
}

BOOST_AUTO_TEST_CASE(cancelled_wait)
{
  recorder r;
  auto reg = al::install_hooks(r);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  net::steady_timer t(ex, std::chrono::hours(1));
  t.async_wait(test::checked([](error_code ec) {
    BOOST_TEST(ec == net::error::operation_aborted);
  }));
  t.cancel();
  ioc.run();
  BOOST_TEST(r.normalized() == "i1<0:operation b1 a1 d1");
}

BOOST_AUTO_TEST_CASE(a_handler_that_throws)
{
  recorder r;
  auto reg = al::install_hooks(r);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  id.run(6, [&] {
    net::post(ex, [] { throw std::runtime_error("handler"); });
  });
  BOOST_CHECK_THROW(ioc.run(), std::runtime_error);
  BOOST_TEST(r.normalized() == "i1<0:post b1 a1 d1");
  BOOST_TEST(r.snapshot()[2].value == 6);
  BOOST_TEST(al::execution_id() == 0u);
  BOOST_TEST(!id.get());
}

BOOST_AUTO_TEST_CASE(operations_initiated_before_any_hook_are_not_reported)
{
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  al::async_id seen = 99;
  net::post(ex, [&] { seen = al::execution_id(); });
  recorder r;
  auto reg = al::install_hooks(r);
  ioc.run();
  BOOST_TEST(r.normalized() == "");
  BOOST_TEST(seen == 0u);
}

BOOST_AUTO_TEST_CASE(several_hooks_in_installation_order)
{
  struct ordered : al::async_hooks
  {
    ordered(std::string& log, char name) : log(log), name(name) {}
    void init(al::async_id, al::async_id, char const*) noexcept override
    {
      log += name;
    }
    std::string& log;
    char name;
  };
  std::string log;
  ordered a(log, 'a'), b(log, 'b');
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  {
    auto ra = al::install_hooks(a);
    auto rb = al::install_hooks(b);
    BOOST_TEST(ra.installed());
    net::post(ex, [] {});
    ra.reset();
    BOOST_TEST(!ra.installed());
    net::post(ex, [] {});
    al::hooks_registration moved = std::move(rb);
    BOOST_TEST(!rb.installed());
    BOOST_TEST(moved.installed());
    net::post(ex, [] {});
  }
  net::post(ex, [] {});
  ioc.run();
  BOOST_TEST(log == "abbb");
  BOOST_TEST(!test::user_hooks_installed());
}

BOOST_AUTO_TEST_CASE(a_hook_may_uninstall_itself)
{
  struct once : al::async_hooks
  {
    void init(al::async_id, al::async_id, char const*) noexcept override
    {
      ++calls;
      registration.reset();
    }
    al::hooks_registration registration;
    int calls = 0;
  };
  once h;
  h.registration = al::install_hooks(h);
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  net::post(ex, [] {});
  net::post(ex, [] {});
  ioc.run();
  BOOST_TEST(h.calls == 1);
}

// A hook that uninstalls a later one from inside a callback: once reset()
// returns, the later one is not called, not even for the event in progress.
BOOST_AUTO_TEST_CASE(a_hook_may_uninstall_a_later_one)
{
  struct later : al::async_hooks
  {
    void init(al::async_id, al::async_id, char const*) noexcept override
    {
      ++calls;
    }
    int calls = 0;
  };
  struct first : al::async_hooks
  {
    void init(al::async_id, al::async_id, char const*) noexcept override
    {
      ++calls;
      other->reset();
    }
    al::hooks_registration* other = nullptr;
    int calls = 0;
  };
  first a;
  later b;
  auto ra = al::install_hooks(a);
  auto rb = al::install_hooks(b);
  a.other = &rb;
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  net::post(ex, [] {});
  net::post(ex, [] {});
  ioc.run();
  BOOST_TEST(a.calls == 2);
  BOOST_TEST(b.calls == 0);
}

// Two threads, each inside a callback at the same moment, each uninstall a
// hook: reset() from inside a callback does not wait, or each would wait
// for the other to leave its callback, for ever.
BOOST_AUTO_TEST_CASE(two_threads_uninstall_from_callbacks_at_once)
{
  struct meeting : al::async_hooks
  {
    void before(al::async_id) noexcept override
    {
      std::unique_lock<std::mutex> lock(mutex);
      if (done)
        return;
      int const me = ++inside;
      cv.notify_all();
      cv.wait(lock, [&] { return inside >= 2 || done; });
      al::hooks_registration* mine = me == 1 ? &a : &b;
      lock.unlock();
      mine->reset();  // the old wait would never end here
      lock.lock();
      done = true;
      cv.notify_all();
    }
    std::mutex mutex;
    std::condition_variable cv;
    int inside = 0;
    bool done = false;
    al::hooks_registration a, b;
  };
  struct nothing : al::async_hooks {};
  meeting m;
  nothing other;
  m.a = al::install_hooks(m);
  m.b = al::install_hooks(other);
  std::atomic<int> finished{0};
  test::io_context ioc(2);
  auto ex = al::make_executor(ioc);
  net::post(ex, [] {});
  net::post(ex, [] {});
  std::thread t([&] {
    ioc.run();
    ++finished;
  });
  std::thread u([&] {
    ioc.run();
    ++finished;
  });
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (finished.load() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (finished.load() < 2)
  {
    BOOST_ERROR("uninstalling from two callbacks at once deadlocked");
    std::abort();  // the threads cannot be joined
  }
  t.join();
  u.join();
  BOOST_TEST(!m.a.installed());
  BOOST_TEST(!m.b.installed());
  BOOST_TEST(!test::user_hooks_installed());
}

// Uninstalling while another thread reports events: once reset() returns,
// the hook is never called again, so it may be destroyed.
BOOST_AUTO_TEST_CASE(uninstall_while_another_thread_runs_handlers)
{
  struct guarded : al::async_hooks
  {
    void init(al::async_id, al::async_id, char const*) noexcept override
    {
      check();
    }
    void before(al::async_id) noexcept override { check(); }
    void after(al::async_id) noexcept override { check(); }
    void destroy(al::async_id) noexcept override { check(); }
    // Stays inside the call for a while, so that reset() finds calls in
    // progress; whatever is still running after reset() returned sees
    // `gone`.
    void check() noexcept
    {
      calls.fetch_add(1, std::memory_order_relaxed);
      auto const until = std::chrono::steady_clock::now()
        + std::chrono::microseconds(20);
      while (std::chrono::steady_clock::now() < until)
        ;
      if (gone.load())
        late.store(true);
    }
    std::atomic<bool> gone{false};
    std::atomic<bool> late{false};
    std::atomic<int> calls{0};
  };
  for (int round = 0; round < 20; ++round)
  {
    guarded h;
    test::io_context ioc;
    auto ex = al::make_executor(ioc);
    std::atomic<bool> stop{false};
    auto reg = al::install_hooks(h);
    std::thread worker([&] {
      while (!stop.load())
      {
        net::post(ex, [] {});
        ioc.restart();
        ioc.run();
      }
    });
    while (h.calls.load() < 10)
      std::this_thread::yield();
    reg.reset();
    h.gone.store(true);
    for (int i = 0; i < 100; ++i)
      std::this_thread::yield();
    stop.store(true);
    worker.join();
    BOOST_TEST(!h.late.load());
  }
}

// A hook installed while another thread submits work: the submitting
// thread reads the newly published hook list, and the flag in it, only
// after the list is complete. (With a relaxed load of the list, TSan
// reports the read of the flag racing with the list's construction.)
BOOST_AUTO_TEST_CASE(install_while_another_thread_submits)
{
  al::async_hooks nothing;
  test::io_context ioc;
  auto ex = al::make_executor(ioc);
  std::atomic<bool> stop{false};
  std::atomic<long> submitted{0};
  std::thread worker([&] {
    while (!stop.load(std::memory_order_relaxed))
    {
      net::post(ex, [] {});
      ioc.restart();
      ioc.run();
      submitted.fetch_add(1, std::memory_order_relaxed);
    }
  });
  for (int round = 0; round < 200; ++round)
  {
    long const before = submitted.load();
    auto registration = al::install_hooks(nothing);
    // The worker submits at least once under this list.
    while (submitted.load() < before + 2)
      std::this_thread::yield();
    registration.reset();
  }
  stop.store(true);
  worker.join();
  BOOST_TEST(submitted.load() >= 400);
}

// Two threads, 10^5 operations: every init has one destroy, every before
// one after, whatever thread ran or destroyed the operation.
BOOST_AUTO_TEST_CASE(init_and_destroy_balance_on_two_threads)
{
  constexpr int operations = 100000;
  struct counting : al::async_hooks
  {
    void init(al::async_id i, al::async_id, char const*) noexcept override
    {
      slot(i).fetch_add(1, std::memory_order_relaxed);
    }
    void before(al::async_id i) noexcept override
    {
      slot(i).fetch_add(0x100, std::memory_order_relaxed);
    }
    void after(al::async_id i) noexcept override
    {
      slot(i).fetch_add(0x10000, std::memory_order_relaxed);
    }
    void destroy(al::async_id i) noexcept override
    {
      slot(i).fetch_add(0x1000000, std::memory_order_relaxed);
    }
    std::atomic<int>& slot(al::async_id i) noexcept
    {
      std::size_t const n = static_cast<std::size_t>(i - base);
      if (n >= counts.size())
        return overflow;
      return counts[n];
    }
    explicit counting(al::async_id base) : base(base), counts(4 * operations) {}
    al::async_id base;
    std::vector<std::atomic<int>> counts;
    std::atomic<int> overflow{0};
  };
  counting h(al::detail::async_id_counter.load() + 1);
  auto reg = al::install_hooks(h);
  std::atomic<int> ran{0};
  test::on_threads(2, [&](net::io_context& ioc) {
    auto ex = al::make_executor(ioc);
    // A hundred chains of posts, each with a value bound, run by both
    // threads: a step may be initiated on one and run on the other.
    for (int chain = 0; chain < 100; ++chain)
      id.run(chain, [&] {
        struct step
        {
          al::propagating_executor<net::io_context::executor_type> ex;
          std::atomic<int>* ran;
          int left;
          void operator()() const
          {
            ran->fetch_add(1, std::memory_order_relaxed);
            if (left > 1)
              net::post(ex, step{ex, ran, left - 1});
          }
        };
        net::post(ex, step{ex, &ran, operations / 100});
      });
  });
  reg.reset();
  BOOST_TEST(ran.load() == operations);
  BOOST_TEST(h.overflow.load() == 0);
  int inits = 0;
  for (auto const& c : h.counts)
  {
    int const v = c.load();
    if (v == 0)
      continue;
    ++inits;
    // One init, one before, one after, one destroy.
    if (v != 0x1010101)
      BOOST_TEST(v == 0x1010101);
  }
  BOOST_TEST(inits == operations);
}

BOOST_AUTO_TEST_SUITE_END()
