// The owner of the test executables' precompiled header (tests/CMakeLists.txt): GoogleTest,
// GoogleMock and RapidCheck are parsed once per build instead of once per test file.
