# Installation of the "Apple Legacy Ports" profile and the Debian package.
#
# Two sets of install rules:
# - the default component, what `cmake --install build` does: the plugins go
#   to APPLELEGACY_INSTALL_DIR (set in the top CMakeLists.txt) and the profile
#   to APPLELEGACY_PROFILE_INSTALL_DIR, the personal profiles folder of the user
#   who runs cmake or, as root, Wireshark's global one;
# - the `deb` component (excluded from a plain install), what CPack packs:
#   always the system folders of the Wireshark series found, whoever builds.
# `cpack -G DEB` in the build folder (or `cmake --build build --target package`)
# makes applelegacy-wireshark-plugins_VERSION_ARCH.deb that depends on the
# libwireshark package the plugins were linked against, within the series.

set(APPLELEGACY_PROFILE_NAME "Apple Legacy Ports")
set(APPLELEGACY_PROFILE_FILES
    ${PROJECT_SOURCE_DIR}/data/profile/colorfilters
    ${PROJECT_SOURCE_DIR}/data/profile/dfilter_buttons
    ${PROJECT_SOURCE_DIR}/data/profile/heuristic_protos
    ${PROJECT_SOURCE_DIR}/data/profile/io_graphs
    ${PROJECT_SOURCE_DIR}/data/profile/preferences)

# Wireshark's global configuration folder ("Global configuration" in
# `tshark -G folders`) is PREFIX/share/wireshark; global profiles live in its
# profiles/ subfolder.
pkg_get_variable(WIRESHARK_PREFIX wireshark prefix)
set(APPLELEGACY_GLOBAL_PROFILES_DIR "${WIRESHARK_PREFIX}/share/wireshark/profiles")

# The personal configuration folder, as Wireshark 4.0 picks it on Linux: the
# old ~/.wireshark if it exists, else $XDG_CONFIG_HOME/wireshark (~/.config).
if(IS_DIRECTORY "$ENV{HOME}/.wireshark")
    set(_personal_config "$ENV{HOME}/.wireshark")
elseif(DEFINED ENV{XDG_CONFIG_HOME} AND NOT "$ENV{XDG_CONFIG_HOME}" STREQUAL "")
    set(_personal_config "$ENV{XDG_CONFIG_HOME}/wireshark")
else()
    set(_personal_config "$ENV{HOME}/.config/wireshark")
endif()
if(APPLELEGACY_UID STREQUAL "0")
    set(_default_profile_dir "${APPLELEGACY_GLOBAL_PROFILES_DIR}/${APPLELEGACY_PROFILE_NAME}")
else()
    set(_default_profile_dir "${_personal_config}/profiles/${APPLELEGACY_PROFILE_NAME}")
endif()
set(APPLELEGACY_PROFILE_INSTALL_DIR "${_default_profile_dir}" CACHE PATH
    "Folder the \"${APPLELEGACY_PROFILE_NAME}\" configuration profile is installed into")
install(FILES ${APPLELEGACY_PROFILE_FILES} DESTINATION "${APPLELEGACY_PROFILE_INSTALL_DIR}")

# ---- The Debian package -----------------------------------------------------

# Package paths are relative to / (CPACK_PACKAGING_INSTALL_PREFIX below).
string(REGEX REPLACE "^/+" "" APPLELEGACY_DEB_PLUGIN_DIR "${WIRESHARK_PLUGIN_DIR}/epan")
string(REGEX REPLACE "^/+" "" _deb_profile_dir
       "${APPLELEGACY_GLOBAL_PROFILES_DIR}/${APPLELEGACY_PROFILE_NAME}")
set(APPLELEGACY_DEB_NAME applelegacy-wireshark-plugins)
install(FILES ${APPLELEGACY_PROFILE_FILES} DESTINATION "${_deb_profile_dir}"
        COMPONENT deb EXCLUDE_FROM_ALL)
configure_file(${PROJECT_SOURCE_DIR}/cmake/deb-copyright.in ${CMAKE_BINARY_DIR}/deb/copyright @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/deb/copyright DESTINATION "usr/share/doc/${APPLELEGACY_DEB_NAME}"
        COMPONENT deb EXCLUDE_FROM_ALL)
# The plugins' own `deb` rules are in applelegacy_add_plugin().

# Depends: the Debian package that holds the libwireshark the plugins link
# against (found through its SONAME), within the series found: a plugin only
# loads into the major.minor it was built for.
function(applelegacy_libwireshark_depends out)
    set(_lib "")
    foreach(_l IN LISTS WIRESHARK_LINK_LIBRARIES)
        if(_l MATCHES "/libwireshark\\.so$")
            set(_lib "${_l}")
        endif()
    endforeach()
    if(NOT _lib)
        message(WARNING "libwireshark not among the link libraries; the .deb has no Depends")
        return()
    endif()
    execute_process(COMMAND ${CMAKE_OBJDUMP} -p "${_lib}" OUTPUT_VARIABLE _dyn RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0 OR NOT _dyn MATCHES "SONAME +([^\n]+)")
        message(WARNING "No SONAME in ${_lib}; the .deb has no Depends")
        return()
    endif()
    set(_soname "${CMAKE_MATCH_1}")
    get_filename_component(_libdir "${_lib}" DIRECTORY)
    # The package that ships that SONAME (Debian names it libwireshark16 for
    # libwireshark.so.16); Debian's naming rule when dpkg does not know it.
    execute_process(COMMAND dpkg-query -S "${_libdir}/${_soname}"
                    OUTPUT_VARIABLE _owner RESULT_VARIABLE _rc ERROR_QUIET)
    if(_rc EQUAL 0 AND _owner MATCHES "^([^:, ]+)")
        set(_pkg "${CMAKE_MATCH_1}")
    else()
        string(REGEX REPLACE "^lib(.*)\\.so\\.([0-9.]+)$" "lib\\1\\2" _pkg "${_soname}")
        string(TOLOWER "${_pkg}" _pkg)
    endif()
    # Keep the installed package's epoch, if any, so the range compares right.
    execute_process(COMMAND dpkg-query -W -f=\${Version} ${_pkg}
                    OUTPUT_VARIABLE _installed RESULT_VARIABLE _rc ERROR_QUIET)
    set(_epoch "")
    if(_rc EQUAL 0 AND _installed MATCHES "^([0-9]+:)")
        set(_epoch "${CMAKE_MATCH_1}")
    endif()
    string(REPLACE "." ";" _parts "${WIRESHARK_SERIES}")
    list(GET _parts 0 _major)
    list(GET _parts 1 _minor)
    math(EXPR _next "${_minor} + 1")
    # "~" sorts before anything, so << 4.1~ also keeps out 4.1 pre-releases.
    set(${out} "${_pkg} (>= ${_epoch}${WIRESHARK_SERIES}.0), ${_pkg} (<< ${_epoch}${_major}.${_next}~)"
        PARENT_SCOPE)
    message(STATUS "Debian package depends on ${_pkg} (${_soname}, series ${WIRESHARK_SERIES})")
endfunction()
applelegacy_libwireshark_depends(APPLELEGACY_DEB_DEPENDS)

set(APPLELEGACY_PACKAGE_MAINTAINER
    "Apple legacy ports maintainers <maintainers@users.noreply.h-seed-b964ab06.example>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${APPLELEGACY_DEB_NAME})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "${APPLELEGACY_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${APPLELEGACY_PACKAGE_MAINTAINER}")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the long text.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Plugins for Wireshark ${WIRESHARK_SERIES} and tshark that annotate every packet on a port
Apple software has used (IANA registration, lifecycle, expected protocol),
identify what really flows there, warn in Expert Information, and dissect
Net Assistant/ARD, AirPort ACP, DSProxy, serialnumberd, Password Server,
Remote Apple Events, servermgrd, NetInfo and AirPort UDP 192 probes.
Includes the ${APPLELEGACY_PROFILE_NAME} configuration profile.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${APPLELEGACY_DEB_DEPENDS}")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "wireshark | tshark")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
# Only the `deb` component, installed below / in the staging folder.
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};deb;/")
set(CPACK_PACKAGING_INSTALL_PREFIX "/")
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
