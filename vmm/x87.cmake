# lgkvm_x87: x87 emulation for engines that do not execute x87 (kvm_pvm).
# Included from vmm/CMakeLists.txt.
add_library(lgkvm_x87 STATIC ${CMAKE_CURRENT_LIST_DIR}/x87_emulate.c)
target_link_libraries(lgkvm_x87 PUBLIC lgkvm_base)
