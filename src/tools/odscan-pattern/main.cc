// odscan-pattern: builds, signs, verifies and inspects pattern files. The commands
// live in the odscan_pattern_tool library so tests can call them directly.
#include <iostream>

#include "odscan/pattern/pattern_tool.h"

int main(int argc, char** argv) { return odscan::runPatternTool(argc, argv, std::cout, std::cerr); }
