#!/bin/sh
# The base family (python3, node) needs nothing beyond its packages.
# A compiled family's script runs here as root at build time, after its
# packages are installed: prebuild libraries, write config the runner reads.
