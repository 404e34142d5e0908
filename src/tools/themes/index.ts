export { createTheme, getThemeInfo, listThemes } from './tools'
