//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Post chains as a user writes them: plain Asio and the propagating executor
// (empty context, 1 and 8 variables bound) in one translation unit, built
// with -O2 (not the per-variant files of micro), in the process as it starts.
//
//   single_file [--threads] [ROUNDS]
//   single_file --only plain|al_empty|al_1|al_8|al_1_hook|al_1_off [CHAINS]
//   single_file_zones [--no-zone] ...
//
// al_1_hook is al_1 with a no-op hook installed (see hooks.hpp); al_1_off
// is al_1 with propagation switched off (al::set_enabled(false)): the
// binding is not made, and the chain runs in the empty context. Built
// with BOOST_ASYNC_LOCAL_DISABLE (single_file_disabled), the library is
// compiled out: every chain should cost what plain Asio's does. Built
// with BENCH_ZONES (single_file_zones), the program makes a zone first,
// which installs the zones' hook for the rest of the process (zone.hpp):
// al_empty, al_1 and al_8 are then chains outside every zone while zones are
// in use, and al_1_zone, in place of al_1_hook, is al_1 inside a zone. A
// program of its own: the zone code in the same translation unit changes how
// the compiler inlines the other chains. With --no-zone it makes no zone, so
// that its chains show the translation unit's cost apart from the zone's
// (and it has al_1_hook, as single_file does, in place of al_1_zone).
// Built with BENCH_WATCHED (single_file_watched), the program makes a
// variable with a change callback (variable.hpp), which copies the value
// into a thread_local as a logging bridge does: al_empty, al_1 and al_8 are then chains whose
// contexts bind no such variable while one exists, and al_1_watched, in
// place of al_1_hook, is al_1 with the watched variable bound too, so
// that every hop calls its callback twice (the handler's context installed,
// and left). Built
// with BOOST_ASYNC_LOCAL_NO_HOOKS (single_file_no_hooks), the program has
// no al_1_hook, and the library makes no test for hooks on a hop: the same
// chains as they were before hooks existed, to compare with in one run.
//
// Without --threads the process stays single-threaded; with it, a thread is
// started and joined first, so the C and C++ runtimes use their atomics, as
// in a server. Rounds are interleaved (every variant once per round, in a
// rotating order), and each variant's figure is the median over rounds, with
// the spread (lowest and highest) of its ratio to plain Asio measured in the
// same round. Prints JSON, with every round's figures (for
// bench/merge_rounds.mjs, which joins several runs). With --only, runs one variant's chains and
// nothing else, for an instruction count per hop under
// `valgrind --tool=callgrind` (this machine has no hardware counters).

#include <boost/async_local.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace al = boost::async_local;

namespace {

al::variable<std::string> vars[8];
al::variable<std::string>& request_id = vars[0];

constexpr int hops = 1000;

template <class Ex>
struct hop
{
  void operator()()
  {
    std::string const* p = request_id.get();
    *sum += p ? p->size() : 0;
    if (--*left > 0)
      net::post(ex, *this);
  }
  Ex ex;
  int* left;
  std::size_t* sum;
};

template <class F>
void bind_n(int n, F&& f)
{
  if (n == 0)
    return f();
  vars[n - 1].run("req-" + std::to_string(n - 1), [&] { bind_n(n - 1, f); });
}

std::size_t sum = 0;

#if defined(BENCH_WATCHED)
// What a library's own thread_local would hold (a logging MDC).
thread_local std::string const* mirrored = nullptr;
al::variable<std::string> watched("watched",
    [](std::string const*, std::string const* current, bool) {
      mirrored = current;
    });
#endif

// ns per hop of `chains` chains of 1000 hops on ex, started with `bound`
// variables bound.
template <class Ex>
double measure(net::io_context& ioc, Ex ex, int bound, int chains)
{
  auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < chains; ++c)
  {
    int left = hops;
    bind_n(bound, [&] { net::post(ex, hop<Ex>{ex, &left, &sum}); });
    ioc.restart();
    ioc.run();
  }
  std::chrono::duration<double, std::nano> d =
    std::chrono::steady_clock::now() - start;
  return d.count() / (double(chains) * hops);
}

double median(std::vector<double> v)
{
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

int main(int argc, char** argv)
{
  bool threads = false;
#if defined(BENCH_ZONES)
  constexpr bool zones = true;
#else
  constexpr bool zones = false;
#endif
  int rounds = 21;
  char const* only = nullptr;
  bool make_zone = zones;
  for (int i = 1; i < argc; ++i)
  {
    if (std::strcmp(argv[i], "--threads") == 0)
      threads = true;
    else if (std::strcmp(argv[i], "--no-zone") == 0)
      make_zone = false;
    else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc)
      only = argv[++i];
    else
      rounds = std::atoi(argv[i]);
  }
  if (threads)
    std::thread([] {}).join();

  net::io_context ioc(1);
  auto plain = ioc.get_executor();
  auto wrapped = al::make_executor(ioc);
#if defined(BOOST_ASYNC_LOCAL_NO_HOOKS)
  char const* names[] = {"plain", "al_empty", "al_1", "al_8", "al_1_off"};
#else
  char const* names[] = {"plain", "al_empty", "al_1", "al_8", "al_1_off",
#if defined(BENCH_WATCHED)
      "al_1_watched"
#else
      make_zone ? "al_1_zone" : "al_1_hook"
#endif
  };
#endif
  constexpr int variants = sizeof(names) / sizeof(names[0]);
#if defined(BENCH_ZONES)
  std::optional<al::zone> zone;
  if (make_zone)
    zone.emplace("bench");
#endif
  al::async_hooks nothing;
  auto run = [&](int v, int chains) {
    switch (v)
    {
    case 0: return measure(ioc, plain, 0, chains);
    case 1: return measure(ioc, wrapped, 0, chains);
    case 2: return measure(ioc, wrapped, 1, chains);
    case 3: return measure(ioc, wrapped, 8, chains);
    case 4:
    {
      al::set_enabled(false);
      double const ns = measure(ioc, wrapped, 1, chains);
      al::set_enabled(true);
      return ns;
    }
    default:
    {
#if defined(BENCH_ZONES)
      if (zone)
        return zone->run([&] { return measure(ioc, wrapped, 1, chains); });
#elif defined(BENCH_WATCHED)
      return watched.run("w",
          [&] { return measure(ioc, wrapped, 1, chains); });
#endif
      auto registration = al::install_hooks(nothing);
      return measure(ioc, wrapped, 1, chains);
    }
    }
  };
  if (only)
  {
    for (int v = 0; v < variants; ++v)
      if (std::strcmp(only, names[v]) == 0)
      {
        run(v, rounds);
        std::printf("%s: %d chains of %d hops, checksum %zu\n", only, rounds,
            hops, sum % 7);
        return 0;
      }
    std::fprintf(stderr, "unknown variant %s\n", only);
    return 2;
  }

  for (int v = 0; v < variants; ++v) // warm up
    run(v, 200);

  std::vector<double> ns[variants];
  std::vector<double> ratio[variants];
  constexpr int chains = 400;
  for (int r = 0; r < rounds; ++r)
  {
    double round[variants];
    for (int i = 0; i < variants; ++i)
    {
      int v = (i + r) % variants;
      round[v] = run(v, chains);
    }
    for (int v = 0; v < variants; ++v)
    {
      ns[v].push_back(round[v]);
      ratio[v].push_back(round[0] / round[v]);
    }
  }

#if defined(BOOST_ASYNC_LOCAL_DISABLE)
  char const* build = ", library compiled out";
#elif defined(BOOST_ASYNC_LOCAL_NO_HOOKS)
  char const* build = ", hooks compiled out";
#elif defined(BENCH_WATCHED)
  char const* build = ", a change callback in use";
#else
  char const* build = !zones ? ""
    : make_zone ? ", zones in use" : ", zone code, no zone made";
#endif
  std::printf("{\"process\": \"%s%s\", \"rounds\": %d, \"variants\": {",
      threads ? "multi-threaded" : "single-threaded", build, rounds);
  for (int v = 0; v < variants; ++v)
  {
    auto [lo, hi] = std::minmax_element(ratio[v].begin(), ratio[v].end());
    std::printf("%s \"%s\": {\"ns_per_hop\": %.2f, \"ratio\": %.3f, "
        "\"ratio_min\": %.3f, \"ratio_max\": %.3f, \"rounds_ns\": [", v ? "," : "",
        names[v], median(ns[v]), median(ratio[v]), *lo, *hi);
    for (int r = 0; r < rounds; ++r)
      std::printf("%s%.3f", r ? ", " : "", ns[v][r]);
    std::printf("], \"rounds_ratio\": [");
    for (int r = 0; r < rounds; ++r)
      std::printf("%s%.4f", r ? ", " : "", ratio[v][r]);
    std::printf("]}");
  }
  std::printf("}, \"checksum\": %zu}\n", sum % 7);
}
