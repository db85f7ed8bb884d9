#include "odscan/http/router.h"

namespace odscan::http {

Status Router::add(std::string_view method, std::string_view path, Handler handler) {
  if (path.empty() || path.front() != '/') {
    return Status(StatusCode::kInvalidArgument,
                  "route path '" + std::string(path) + "' must start with '/'");
  }

  PathRoutes* routes = nullptr;
  for (PathRoutes& candidate : routes_) {
    if (candidate.path == path) routes = &candidate;
  }
  if (routes == nullptr) {
    routes = &routes_.emplace_back(PathRoutes{std::string(path), {}, {}});
  }

  for (const MethodHandler& existing : routes->methods) {
    if (existing.method == method) {
      return Status(StatusCode::kAlreadyExists, "route " + std::string(method) + " " +
                                                    std::string(path) + " is already registered");
    }
  }
  routes->methods.push_back(MethodHandler{std::string(method), std::move(handler)});
  if (!routes->allow.empty()) routes->allow += ", ";
  routes->allow += method;
  return Status::success();
}

namespace {

// A route path ending in "/*" matches every path below that folder, one or more
// characters after the slash; other route paths match only themselves.
bool routeMatches(std::string_view route, std::string_view path) {
  if (route.size() >= 2 && route.ends_with("/*")) {
    const std::string_view folder = route.substr(0, route.size() - 1);
    return path.size() > folder.size() && path.starts_with(folder);
  }
  return route == path;
}

}  // namespace

Router::Match Router::match(std::string_view method, std::string_view path) const {
  // Exact routes win over folder routes, whatever the order they were added in.
  for (const bool exact : {true, false}) {
    const Match found = matchPass(method, path, exact);
    if (found.kind != MatchKind::kPathNotFound) return found;
  }
  return Match{MatchKind::kPathNotFound, nullptr, routes_.size(), {}};
}

Router::Match Router::matchPass(std::string_view method, std::string_view path, bool exact) const {
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    const PathRoutes& routes = routes_[index];
    if (exact ? routes.path != path : !routeMatches(routes.path, path)) continue;

    for (const MethodHandler& candidate : routes.methods) {
      if (candidate.method == method) {
        return Match{MatchKind::kFound, &candidate.handler, index, routes.allow};
      }
    }
    return Match{MatchKind::kMethodNotAllowed, nullptr, index, routes.allow};
  }
  return Match{MatchKind::kPathNotFound, nullptr, routes_.size(), {}};
}

std::vector<std::string_view> Router::paths() const {
  std::vector<std::string_view> result;
  result.reserve(routes_.size());
  for (const PathRoutes& routes : routes_) result.push_back(routes.path);
  return result;
}

std::string_view pathOfTarget(std::string_view target) {
  const std::size_t query = target.find('?');
  return query == std::string_view::npos ? target : target.substr(0, query);
}

}  // namespace odscan::http
