#!/bin/sh
# The cpp family: g++ and OpenSSL come from its packages; record the compiler's
# version for the compile cache's key (sandbox/runner/langs/cpp.py).
mkdir -p /opt/toolchain
g++ --version | head -n 1 > /opt/toolchain/cpp-version
# a smoke test: the toolchain compiles and links what HumanEval-X needs
cd /tmp
printf '#include<openssl/md5.h>\n#include<vector>\nint main(){unsigned char d[16];MD5((const unsigned char*)"",0,d);std::vector<int> v{1};return v[0]-1;}\n' > smoke.cpp
g++ -std=c++11 -o smoke smoke.cpp -lssl -lcrypto 2>/dev/null
./smoke
rm -f smoke smoke.cpp
# Exercises (aider's polyglot, Catch2 v2 tests): Catch's main built once here,
# with the flags the tests build with (sandbox/runner/langs/cpp.py TEST_FLAGS);
# compiling it is most of a cold test build.
printf '#define CATCH_CONFIG_MAIN\n#include <catch2/catch.hpp>\n' > catch-main.cpp
g++ -std=c++17 -g -pipe -c -o /opt/toolchain/catch-main.o catch-main.cpp
rm -f catch-main.cpp
