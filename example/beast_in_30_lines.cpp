#include <boost/async_local.hpp>
#include <boost/async_local/http/beast.hpp>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <iostream>

namespace net = boost::asio;
namespace http = boost::beast::http;
namespace al = boost::async_local;
using tcp = net::ip::tcp;

void log(std::string const& what) {   // no request parameter anywhere
  std::cout << "[" << al::http::current_request_id() << "] " << what << "\n";
}

net::awaitable<void> session(tcp::socket socket) {
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> req;
  co_await http::async_read(socket, buffer, req, net::use_awaitable);
  auto bound = al::http::current_request().set(al::http::extract(req));
  log("received " + std::string(req.target()));
  net::steady_timer db(co_await net::this_coro::executor, std::chrono::milliseconds(5));
  co_await db.async_wait(net::use_awaitable);    // resumes with the same ID
  log("database answered");
  http::response<http::string_body> res(http::status::ok, req.version(), "hello\n");
  res.set("X-Request-Id", al::http::current_request_id().view());
  res.prepare_payload();
  co_await http::async_write(socket, res, net::use_awaitable);
}

int main() {
  net::io_context ioc;
  auto ex = al::make_executor(ioc);    // the one line that adds propagation
  tcp::acceptor acceptor(ex, {net::ip::address_v4::loopback(), 8080});
  net::co_spawn(ex, [&]() -> net::awaitable<void> {
    for (;;)
      net::co_spawn(ex, session(co_await acceptor.async_accept(net::use_awaitable)), net::detached);
  }, net::detached);
  ioc.run();
}
