// threat-mitigator: the Threat Mitigator console. Everything it does lives in the
// odscan_console library so that tests can call it directly.
#include <iostream>

#include "odscan/console/console_command.h"

int main(int argc, char** argv) {
  return odscan::console::runThreatMitigator(argc, argv, std::cout, std::cerr);
}
