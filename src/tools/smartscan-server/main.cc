// smartscan-server: the Smart Scan Server program. Everything it does lives in
// the odscan_smartscan library so that tests can call it directly.
#include <iostream>

#include "odscan/smartscan/server_command.h"

int main(int argc, char** argv) {
  return odscan::smartscan::runSmartScanServer(argc, argv, std::cout, std::cerr);
}
