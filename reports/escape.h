// Text made safe for the markup it is written into (XML/HTML text and attributes, Markdown
// table cells).
#pragma once

#include <string>
#include <string_view>

namespace reports {

// &, <, >, " and ' as entities; control characters other than \n and \t (not allowed in XML
// 1.0) as U+FFFD.
std::string xml_escape(std::string_view text);
// | and newlines, which would break a table row.
std::string markdown_cell(std::string_view text);

}  // namespace reports
