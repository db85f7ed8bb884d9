// odscan-query-bench: the load generator of the Smart Scan Server benchmark.
// Everything it does is in bench_command.cc.
#include <iostream>

#include "bench_command.h"

int main(int argc, char** argv) {
  return odscan::bench::runQueryBench(argc, argv, std::cout, std::cerr);
}
