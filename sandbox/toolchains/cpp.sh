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
