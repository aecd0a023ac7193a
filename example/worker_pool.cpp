//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// A worker pool whose callbacks run in the context of the code that
// submitted the task: Node.js's "Using AsyncResource for a Worker thread
// pool", on boost::asio::thread_pool.
//
// The pool's threads run tasks with no context (the pool's executor is a
// plain one), and the pool calls back by itself when a task is done. Each
// task carries an al::resource made where it was submitted, so the callback
// runs in the submitter's context, as an operation of its own that hooks see
// (init when submitted, before/after around the callback, destroy after).

#include <boost/async_local/hooks.hpp>
#include <boost/async_local/resource.hpp>
#include <boost/async_local/variable.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdio>
#include <string>
#include <utility>

namespace net = boost::asio;
namespace al = boost::async_local;

al::variable<std::string> request_id;

class worker_pool
{
public:
  explicit worker_pool(std::size_t threads)
    : pool_(threads)
  {
  }

  // Runs task() on a pool thread, then callback(result) in the context
  // current now.
  template <class Task, class Callback>
  void run_task(Task task, Callback callback)
  {
    al::resource info("worker_pool_task");  // Node's WorkerPoolTaskInfo
    net::post(pool_, [info = std::move(info), task = std::move(task),
        callback = std::move(callback)]() mutable {
      auto result = task();
      info.run(callback, std::move(result));
    });
  }

  void join()
  {
    pool_.join();
  }

private:
  net::thread_pool pool_;
};

// Counts the pool's operations, to show that each ends exactly once.
struct task_counter : al::async_hooks
{
  void init(al::async_id, al::async_id, char const* type) noexcept override
  {
    if (std::string(type) == "resource:worker_pool_task")
      ++started;
  }
  void destroy(al::async_id) noexcept override { ++ended; }

  std::atomic<int> started{0};
  std::atomic<int> ended{0};
};

int main()
{
  task_counter counter;
  auto registration = al::install_hooks(counter);

  std::atomic<int> mismatches{0};
  worker_pool pool(2);
  for (int i = 1; i <= 8; ++i)
  {
    std::string const id = "req-" + std::to_string(i);
    request_id.run(id, [&] {
      pool.run_task(
          [i] {
            // On a pool thread, in no request: the task is pure work.
            long sum = 0;
            for (int k = 0; k <= i * 1000; ++k)
              sum += k;
            return sum;
          },
          [&, id](long sum) {
            std::string const seen = request_id.value_or("-");
            if (seen != id)
              ++mismatches;
            std::printf("[%s] task done: %ld (operation %llu)\n",
                seen.c_str(), sum,
                static_cast<unsigned long long>(al::execution_id()));
          });
    });
  }
  pool.join();
  registration.reset();

  std::printf("%d callbacks in the wrong request; %d tasks started, "
      "%d operations ended\n", mismatches.load(), counter.started.load(),
      counter.ended.load());
  return mismatches == 0 && counter.started == 8 && counter.ended == 8
    ? 0 : 1;
}
