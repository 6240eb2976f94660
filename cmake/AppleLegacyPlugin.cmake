# applelegacy_add_plugin(NAME SOURCES src... [LIBRARIES lib...] [WITH_TAPS])
#
# Builds plugins/NAME as a Wireshark plugin NAME.so. The entry points the
# loader looks for come from plugins/common/plugin.c.in: they register
# proto_register_NAME() / proto_reg_handoff_NAME(), and with WITH_TAPS also
# call plugin_register_taps_NAME() when Wireshark registers tap listeners.
function(applelegacy_add_plugin name)
    cmake_parse_arguments(P "WITH_TAPS" "" "SOURCES;LIBRARIES" ${ARGN})
    set(PLUGIN_NAME ${name})
    if(P_WITH_TAPS)
        set(PLUGIN_WITH_TAPS 1)
    else()
        set(PLUGIN_WITH_TAPS 0)
    endif()
    configure_file(${PROJECT_SOURCE_DIR}/plugins/common/plugin.c.in
                   ${CMAKE_CURRENT_BINARY_DIR}/plugin.c @ONLY)
    if(APPLELEGACY_COMPILE_ONLY)
        # Objects only: tools/check-wireshark-versions compiles against the
        # headers of an unpacked -dev package, without its libraries.
        add_library(${name} OBJECT ${CMAKE_CURRENT_BINARY_DIR}/plugin.c ${P_SOURCES})
    else()
        add_library(${name} MODULE ${CMAKE_CURRENT_BINARY_DIR}/plugin.c ${P_SOURCES})
        install(TARGETS ${name} LIBRARY DESTINATION ${APPLELEGACY_INSTALL_DIR})
        # The Debian package's copy: always the system folder (AppleLegacyPackaging.cmake).
        install(TARGETS ${name} LIBRARY DESTINATION ${APPLELEGACY_DEB_PLUGIN_DIR}
                COMPONENT deb EXCLUDE_FROM_ALL)
    endif()
    target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                                               ${PROJECT_SOURCE_DIR}/plugins/common)
    target_compile_definitions(${name} PRIVATE PLUGIN_VERSION="${PROJECT_VERSION}"
                                               WS_LOG_DOMAIN="${name}")
    target_link_libraries(${name} PRIVATE ${P_LIBRARIES} PkgConfig::WIRESHARK PkgConfig::GLIB)
    set_target_properties(${name} PROPERTIES
        PREFIX ""
        C_VISIBILITY_PRESET hidden
        POSITION_INDEPENDENT_CODE ON
        LIBRARY_OUTPUT_DIRECTORY ${APPLELEGACY_PLUGIN_OUTPUT_DIR})
    set_property(GLOBAL APPEND PROPERTY APPLELEGACY_PLUGINS ${name})
endfunction()

# A unit test of a plugin's pure code: tests/unit/TEST.c linked with LIBS.
function(applelegacy_add_unit_test test)
    cmake_parse_arguments(T "" "" "LIBRARIES" ${ARGN})
    if(NOT BUILD_TESTING)
        return()
    endif()
    add_executable(${test} ${PROJECT_SOURCE_DIR}/tests/unit/${test}.c)
    target_include_directories(${test} PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
    target_link_libraries(${test} PRIVATE ${T_LIBRARIES} PkgConfig::GLIB)
    add_test(NAME unit/${test} COMMAND ${test})
endfunction()
