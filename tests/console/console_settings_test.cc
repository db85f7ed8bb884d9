#include "odscan/console/console_settings.h"

#include <gtest/gtest.h>

#include "../http/http_test_support.h"

namespace odscan::console {
namespace {

using Json = nlohmann::json;

TEST(ConsoleSettingsTest, EmptyInputGivesTheDefaults) {
  auto checked = checkSettings(kOnDemandSettings, Json::object());
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(*checked, defaultSettings(kOnDemandSettings));
}

TEST(ConsoleSettingsTest, EachBadFieldIsNamed) {
  const std::vector<std::pair<Json, std::string>> cases = {
      {{{"profile", "everything"}}, "profile"},
      {{{"action", "delete"}}, "action"},
      {{{"targets", "C:\\"}}, "targets"},
      {{{"exclusions", {std::string("a\nb")}}}, "exclusions"},
      {{{"excluded_extensions", {".iso"}}}, "excluded_extensions"},
      {{{"max_file_size", -1}}, "max_file_size"},
      {{{"archive_limits", {{"max_depth", 1000}}}}, "max_depth"},
      {{{"archive_limits", 5}}, "archive_limits"},
  };
  for (const auto& [sent, field] : cases) {
    auto checked = checkSettings(kOnDemandSettings, sent);
    ASSERT_FALSE(checked.ok()) << sent.dump();
    EXPECT_NE(checked.status().message().find(field), std::string::npos)
        << checked.status().message();
  }
}

TEST(ConsoleSettingsTest, SmartScanUrlsMustBeHttp) {
  EXPECT_TRUE(
      checkSettings(kSmartScanSettings, {{"smart_scan_server_url", "http://127.0.0.1:8470"}}).ok());
  EXPECT_TRUE(checkSettings(kSmartScanSettings, {{"smart_scan_server_url", ""}}).ok());
  auto bad = checkSettings(kSmartScanSettings, {{"smart_scan_server_url", "ftp://x"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("smart_scan_server_url"), std::string::npos);
  EXPECT_FALSE(checkSettings(kSmartScanSettings, {{"global_server_url", "http://a b:1/"}}).ok());
  EXPECT_FALSE(checkSettings(kSmartScanSettings, {{"allow_global_server", "yes"}}).ok());
}

TEST(ConsoleSettingsTest, ComponentMergesBothGroups) {
  http::testing::TempFolder folder;
  auto database = Database::open(folder / "console.db");
  ASSERT_TRUE(database.ok());
  ConsoleSettings settings(**database);
  ASSERT_TRUE(settings.put(kOnDemandSettings, {{"profile", "quick"}}, "admin").ok());
  ASSERT_TRUE(settings.put(kSmartScanSettings, {{"allow_global_server", false}}, "admin").ok());
  auto component = settings.component("http://127.0.0.1:8480/");
  ASSERT_TRUE(component.ok());
  EXPECT_EQ((*component)["format"], "odscan-ondemand-settings");
  EXPECT_EQ((*component)["profile"], "quick");
  EXPECT_EQ((*component)["allow_global_server"], false);
  EXPECT_EQ((*component)["console_url"], "http://127.0.0.1:8480/");
}

}  // namespace
}  // namespace odscan::console
