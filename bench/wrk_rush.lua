-- Request the paths given after `--` in turn (bench/rush.py's readers), and report as wrk_report.lua does.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk_report.lua")

local paths, turn = {}, 0

init = function(args)
  for _, path in ipairs(args) do
    paths[#paths + 1] = path
  end
end

request = function()
  turn = turn % #paths + 1
  return wrk.format(nil, paths[turn])
end
