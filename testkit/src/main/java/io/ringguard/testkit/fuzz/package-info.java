/** Helpers shared by the modules' Jazzer fuzz targets ({@code *FuzzTest}). */
package io.ringguard.testkit.fuzz;
