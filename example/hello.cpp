#include <boost/async_local.hpp>
#include <boost/asio.hpp>
#include <iostream>

namespace net = boost::asio;
namespace al = boost::async_local;

al::variable<std::string> request_id;      // like a thread_local, but follows async work

int main() {
  net::io_context ioc;
  auto ex = al::make_executor(ioc);         // wrap once: everything made from ex propagates
  net::steady_timer timer(ex, std::chrono::milliseconds(10));

  request_id.run("req-42", [&] {            // bind for this unit of work
    timer.async_wait([](boost::system::error_code) {
      std::cout << "timer fired for " << *request_id.get() << "\n";   // prints req-42
    });
  });
  ioc.run();                                // runs outside the binding: the ID came along
}
