// The backward pass's workspace pool, compiled into the test (the library hides it): a workspace per call, reused
// across calling threads, so memory follows the calls that ran at once, not the threads that ever called.
#include "attention/workspace.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <algorithm>
#include <thread>
#include <vector>

using actortrain::attention::CallWorkspace;

TEST(CallWorkspace, ThreadsCallingOneAfterAnotherShareOneWorkspace) {
  const size_t before = CallWorkspace::idle_count();
  for (int i = 0; i < 8; ++i) {
    std::thread([] {
      CallWorkspace workspace(1 << 16);
      workspace.data()[0] = 1.f;  // usable
      workspace.data()[(1 << 16) - 1] = 2.f;
    }).join();
  }
  EXPECT_EQ(CallWorkspace::idle_count(), std::max<size_t>(before, 1));
}

TEST(CallWorkspace, CallsAtOnceGetWorkspacesOfTheirOwnAndGiveThemBack) {
  const size_t before = CallWorkspace::idle_count();
  std::mutex mutex;
  std::condition_variable changed;
  int holding = 0;
  std::vector<float*> seen(3);
  std::vector<std::thread> callers;
  for (int i = 0; i < 3; ++i) {
    callers.emplace_back([&, i] {
      CallWorkspace workspace(1024 * (i + 1));
      seen[i] = workspace.data();
      std::unique_lock<std::mutex> lock(mutex);  // all three held at once before any gives its back
      ++holding;
      changed.notify_all();
      changed.wait(lock, [&] { return holding == 3; });
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_NE(seen[0], seen[1]);
  EXPECT_NE(seen[1], seen[2]);
  EXPECT_NE(seen[0], seen[2]);
  EXPECT_EQ(CallWorkspace::idle_count(), std::max<size_t>(before, 3));
}

using actortrain::attention::TileScratch;

TEST(TileScratch, ThreadsThatStayAliveShareOneBufferWhenTheyUseItInTurn) {
  const size_t before = TileScratch::idle_count();
  std::mutex mutex;
  std::condition_variable changed;
  int used = 0;
  bool release = false;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      {
        TileScratch scratch(4096);
        scratch.data()[4095] = 1.f;
      }
      std::unique_lock<std::mutex> lock(mutex);
      ++used;
      changed.notify_all();
      changed.wait(lock, [&] { return release; });  // alive, as a .NET pool thread or an OpenMP worker is
    });
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return used == i + 1; });
  }
  EXPECT_EQ(TileScratch::idle_count(), std::max<size_t>(before, 1));
  {
    std::lock_guard<std::mutex> lock(mutex);
    release = true;
  }
  changed.notify_all();
  for (auto& thread : threads) thread.join();
}

TEST(TileScratch, HasAPoolOfItsOwn) {
  const size_t workspaces = CallWorkspace::idle_count(), tiles = TileScratch::idle_count();
  { TileScratch scratch(16); }
  EXPECT_EQ(CallWorkspace::idle_count(), workspaces);  // a tile's scratch never takes (and grows) a call's workspace
  EXPECT_EQ(TileScratch::idle_count(), std::max<size_t>(tiles, 1));
}
