// Fixed sizes of the dashboard's layout, shared by the components and the volume tests that check
// them. The alert strip never changes height; queue rows are always two lines.

/** Lines the alert strip shows before the rest go behind "+N more". */
export const ALERT_STRIP_LINES = 4;
export const ALERT_LINE_PX = 28;
export const ALERT_STRIP_PX = ALERT_STRIP_LINES * ALERT_LINE_PX + 4;
/** One queue row (two lines); a fixed height keeps the virtual list exact. */
export const QUEUE_ROW_PX = 44;
