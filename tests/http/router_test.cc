#include "odscan/http/router.h"

#include <gtest/gtest.h>

namespace odscan::http {
namespace {

Handler statusHandler(unsigned status) {
  return [status](const Request&, Response& response) { response.status = status; };
}

unsigned runMatch(const Router::Match& match) {
  Response response;
  (*match.handler)(Request{}, response);
  return response.status;
}

TEST(RouterTest, ExactPathAndMethodFindHandler) {
  Router router;
  ASSERT_TRUE(router.add("GET", "/a", statusHandler(201)).ok());
  ASSERT_TRUE(router.add("POST", "/a", statusHandler(202)).ok());

  const Router::Match get = router.match("GET", "/a");
  const Router::Match post = router.match("POST", "/a");

  ASSERT_EQ(get.kind, Router::MatchKind::kFound);
  ASSERT_EQ(post.kind, Router::MatchKind::kFound);
  EXPECT_EQ(runMatch(get), 201u);
  EXPECT_EQ(runMatch(post), 202u);
}

TEST(RouterTest, PathIndexFollowsFirstAdd) {
  Router router;
  ASSERT_TRUE(router.add("GET", "/first", statusHandler(200)).ok());
  ASSERT_TRUE(router.add("GET", "/second", statusHandler(200)).ok());

  EXPECT_EQ(router.match("GET", "/second").pathIndex, 1u);
  EXPECT_EQ(router.paths(), (std::vector<std::string_view>{"/first", "/second"}));
}

TEST(RouterTest, PrefixDoesNotMatch) {
  Router router;
  ASSERT_TRUE(router.add("GET", "/v1/query", statusHandler(200)).ok());

  EXPECT_EQ(router.match("GET", "/v1/query/").kind, Router::MatchKind::kPathNotFound);
  EXPECT_EQ(router.match("GET", "/v1").kind, Router::MatchKind::kPathNotFound);
}

TEST(RouterTest, MethodIsCaseSensitive) {
  Router router;
  ASSERT_TRUE(router.add("GET", "/a", statusHandler(200)).ok());

  EXPECT_EQ(router.match("get", "/a").kind, Router::MatchKind::kMethodNotAllowed);
}

TEST(RouterTest, PathOfTargetDropsQuery) {
  EXPECT_EQ(pathOfTarget("/v1/query?x=1&y=2"), "/v1/query");
  EXPECT_EQ(pathOfTarget("/metrics"), "/metrics");
  EXPECT_EQ(pathOfTarget("/?"), "/");
}

// Error paths.

TEST(RouterTest, UnknownPathIsNotFound) {
  Router router;
  ASSERT_TRUE(router.add("GET", "/a", statusHandler(200)).ok());

  const Router::Match match = router.match("GET", "/b");

  EXPECT_EQ(match.kind, Router::MatchKind::kPathNotFound);
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_EQ(match.pathIndex, 1u);
}

TEST(RouterTest, WrongMethodListsAllowedMethods) {
  Router router;
  ASSERT_TRUE(router.add("GET", "/a", statusHandler(200)).ok());
  ASSERT_TRUE(router.add("HEAD", "/a", statusHandler(200)).ok());

  const Router::Match match = router.match("DELETE", "/a");

  EXPECT_EQ(match.kind, Router::MatchKind::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, HEAD");
}

TEST(RouterTest, DuplicateRouteIsRejected) {
  Router router;
  ASSERT_TRUE(router.add("GET", "/a", statusHandler(200)).ok());

  const Status status = router.add("GET", "/a", statusHandler(200));

  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(status.message().find("GET /a"), std::string::npos) << status.message();
}

TEST(RouterTest, RelativePathIsRejected) {
  Router router;

  EXPECT_EQ(router.add("GET", "a", statusHandler(200)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.add("GET", "", statusHandler(200)).code(), StatusCode::kInvalidArgument);
}

TEST(RouterTest, FolderRouteServesPathsBelowIt) {
  Router router;
  ASSERT_TRUE(router.add("GET", "/files/*", statusHandler(200)).ok());

  EXPECT_EQ(router.match("GET", "/files/a.ptn").kind, Router::MatchKind::kFound);
  EXPECT_EQ(router.match("GET", "/files/").kind, Router::MatchKind::kPathNotFound);
  EXPECT_EQ(router.match("GET", "/files").kind, Router::MatchKind::kPathNotFound);
  EXPECT_EQ(router.match("GET", "/filesx/a").kind, Router::MatchKind::kPathNotFound);
}

TEST(RouterTest, ExactRouteWinsOverFolderRoute) {
  Router router;
  ASSERT_TRUE(router.add("GET", "/files/*", statusHandler(200)).ok());
  ASSERT_TRUE(router.add("POST", "/files/upload", statusHandler(201)).ok());

  const Router::Match exact = router.match("POST", "/files/upload");
  EXPECT_EQ(exact.kind, Router::MatchKind::kFound);
  EXPECT_EQ(exact.pathIndex, 1u);
  EXPECT_EQ(router.match("GET", "/files/upload").kind, Router::MatchKind::kMethodNotAllowed);
}

}  // namespace
}  // namespace odscan::http
