#include <actortrain/actortrain.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>

TEST(ErrorConvention, MessageIsEmptyUntilACallFailsAndAfterClear) {
  at_clear_error();
  EXPECT_STREQ(at_last_error(), "");
  at_isa out;
  ASSERT_NE(at_parse_isa("bogus", &out), AT_OK);
  EXPECT_STRNE(at_last_error(), "");
  at_clear_error();
  EXPECT_STREQ(at_last_error(), "");
}

TEST(ErrorConvention, LastErrorIsPerThread) {
  at_clear_error();
  std::string seen_by_other_thread = "unset";
  std::string other_threads_own_error;
  std::thread other([&] {
    seen_by_other_thread = at_last_error();
    at_isa out;
    at_parse_isa("from-other-thread", &out);
    other_threads_own_error = at_last_error();
  });
  at_isa out;
  ASSERT_NE(at_parse_isa("from-main-thread", &out), AT_OK);
  other.join();
  EXPECT_EQ(seen_by_other_thread.find("from-main-thread"), std::string::npos);
  EXPECT_NE(other_threads_own_error.find("from-other-thread"), std::string::npos);
  EXPECT_NE(std::string(at_last_error()).find("from-main-thread"), std::string::npos);
}

TEST(ErrorConvention, StatusNamesAreStable) {
  EXPECT_STREQ(at_status_name(AT_OK), "AT_OK");
  EXPECT_STREQ(at_status_name(AT_ERR_INVALID_ARGUMENT), "AT_ERR_INVALID_ARGUMENT");
  EXPECT_STREQ(at_status_name(AT_ERR_UNSUPPORTED), "AT_ERR_UNSUPPORTED");
  EXPECT_STREQ(at_status_name(AT_ERR_OUT_OF_MEMORY), "AT_ERR_OUT_OF_MEMORY");
  EXPECT_STREQ(at_status_name(AT_ERR_CUDA), "AT_ERR_CUDA");
  EXPECT_STREQ(at_status_name(AT_ERR_INTERNAL), "AT_ERR_INTERNAL");
  EXPECT_STREQ(at_status_name(static_cast<at_status>(99)), "AT_UNKNOWN_STATUS");
}
