// Router: maps a request's method and path to the handler that serves it. A
// route path is matched exactly, except one that ends in "/*", which serves every
// path below that folder (the handler reads the rest from Request::path). An
// exact route wins over a folder route.
//
// A program adds every route before it passes the router to HttpServer, which
// then only reads it.
//
// Thread safety: add() needs exclusive access; match() and the accessors may be
// called from many threads at once once the routes are in place. Handlers run on
// the server's worker threads, several at once, so they must be thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "odscan/common/status.h"
#include "odscan/http/request.h"
#include "odscan/http/response.h"

namespace odscan::http {

// Fills `response` for `request`. The response arrives reset to status 200 with an
// empty body. A handler that throws gets a 500 response and an error log line.
using Handler = std::function<void(const Request& request, Response& response)>;

class Router {
 public:
  enum class MatchKind { kFound, kPathNotFound, kMethodNotAllowed };

  struct Match {
    MatchKind kind = MatchKind::kPathNotFound;
    const Handler* handler = nullptr;  // set when kind is kFound
    // Position of the matched path in paths(), or paths().size() when no path
    // matched. Metrics use it to index per-route counters.
    std::size_t pathIndex = 0;
    // The methods the path accepts, comma-separated, for the Allow header of a
    // 405 response.
    std::string_view allow;
  };

  // Adds a handler for `method` requests to `path`. Fails with kInvalidArgument
  // when `path` does not start with '/' and kAlreadyExists when the pair is taken.
  Status add(std::string_view method, std::string_view path, Handler handler);

  Match match(std::string_view method, std::string_view path) const;

  // Returns every path that has a route, in the order of their first add().
  std::vector<std::string_view> paths() const;

 private:
  Match matchPass(std::string_view method, std::string_view path, bool exact) const;

  struct MethodHandler {
    std::string method;
    Handler handler;
  };
  struct PathRoutes {
    std::string path;
    std::vector<MethodHandler> methods;
    std::string allow;
  };

  std::vector<PathRoutes> routes_;
};

// Returns `target` without its query string ("?..." and what follows).
std::string_view pathOfTarget(std::string_view target);

}  // namespace odscan::http
