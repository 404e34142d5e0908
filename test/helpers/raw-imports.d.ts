/** Vite's `?raw` imports: a file's text, bundled into the test (docs read by tests in workerd). */
declare module '*?raw' {
  const text: string
  export default text
}
