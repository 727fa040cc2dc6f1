/** Session settings at the top of every data file: the values' literal forms depend on them. */
export const DATA_PREAMBLE =
  "/*!40101 SET NAMES utf8mb4 */;\nSET SESSION time_zone = '+00:00', sql_mode = 'NO_AUTO_VALUE_ON_ZERO', foreign_key_checks = 0, unique_checks = 0;\n";
